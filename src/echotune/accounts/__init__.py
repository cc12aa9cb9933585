"""Linked Spotify accounts: the link and its encrypted tokens, sync progress,
login attempts, web sessions and the playlist-write ledger.

Storage plugs in through `SpotifyLinkRepo`, `SyncStateRepo`, `LoginAttemptRepo`,
`SessionRepo` and `PlaylistWriteRepo` in `echotune.storage.base`; tokens are
sealed by `crypto.TokenCipher` before they reach any of them.
"""
