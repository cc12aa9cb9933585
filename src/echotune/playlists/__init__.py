"""Playlists: pushing EchoTune's playlists to the user's Spotify account.

Storage plugs in through `PlaylistWriteRepo` (the idempotency ledger in
`echotune.storage.base`); Spotify through `accounts.connections.SpotifyConnections`.
"""
