"""Playback control on the user's Spotify devices (play, pause, skip, queue, transfer).

Plugs in through `accounts.connections.SpotifyConnections`, which hands out a
client per connected user; Spotify's errors become EchoTune's (403/409/429/502).
"""
