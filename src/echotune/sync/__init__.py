"""Spotify library sync: profile, saved tracks, top tracks and artists, recently
played and playlists, stored as catalog tracks and listening events.

Plugs in through `accounts.connections.SpotifyConnections` (a client per user),
`TrackRepo`, `ListeningRepo` and `SyncStateRepo` (where each resource got to,
so a stopped sync resumes instead of starting over).
"""
