"""Spotify library sync: profile, saved tracks, top tracks and artists, recently
played and playlists, stored as catalog tracks, listening events and taste
(saved tracks as saves, top tracks as likes: feedback with source "spotify").

Plugs in through `accounts.connections.SpotifyConnections` (a client per user),
`TrackRepo`, `ListeningRepo`, `FeedbackRepo` and `SyncStateRepo` (where each
resource got to, so a stopped sync resumes instead of starting over).
"""
