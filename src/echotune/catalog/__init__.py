"""The catalog domain: tracks, artists and audio features, and their import.

Storage plugs in through `TrackRepo` and `ArtistRepo` in `echotune.storage.base`.
"""
