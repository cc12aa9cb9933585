"""Bulk library builder behind `FakeState.seed_library`, kept apart so state.py stays small."""

from __future__ import annotations

from datetime import timedelta

from tests.fakes.spotify.ids import EPOCH, stable_id
from tests.fakes.spotify.state import (
    TIME_RANGES,
    FakeState,
    Play,
    Playlist,
    PlaylistEntry,
    SavedTrack,
)


def seed_library(
    state: FakeState,
    user_id: str,
    n_saved: int,
    n_playlists: int,
    items_per_playlist: int,
    n_plays: int,
    n_top: int,
) -> None:
    catalog = state.catalog
    catalog.ensure(max(n_saved, n_top, n_plays, items_per_playlist, 1))
    size = len(catalog.tracks)
    lib = state.library(user_id)
    # Track 0 is the newest save, like the top of "Liked Songs".
    lib.saved = [
        SavedTrack(catalog.tracks[i].id, EPOCH + timedelta(minutes=n_saved - i))
        for i in range(n_saved)
    ]
    seeded: list[str] = []
    for n in range(n_playlists):
        playlist = Playlist(
            stable_id(f"playlist:{user_id}", n),
            user_id,
            f"Fake playlist {n}",
            f"Seeded playlist number {n}",
        )
        added = EPOCH + timedelta(hours=n)
        playlist.entries = [
            PlaylistEntry(f"spotify:track:{catalog.tracks[(n * 7 + k) % size].id}", added, user_id)
            for k in range(items_per_playlist)
        ]
        state.playlists[playlist.id] = playlist
        seeded.append(playlist.id)
    fresh = set(seeded)
    lib.playlist_ids = [p for p in lib.playlist_ids if p not in fresh] + seeded
    start = EPOCH + timedelta(days=30)
    lib.plays = [
        Play(catalog.tracks[i % size].id, start + timedelta(minutes=3.5 * i))
        for i in range(n_plays)
    ]
    for shift, time_range in zip((0, 7, 13), TIME_RANGES, strict=True):
        track_ids = [catalog.tracks[(i + shift) % size].id for i in range(min(n_top, size))]
        lib.top_tracks[time_range] = track_ids
        artists: dict[str, None] = {}
        for track_id in track_ids:
            artists.update(dict.fromkeys(catalog.by_id[track_id].artist_ids))
        # Few artists make many tracks; fill up from the catalog so top artists has n_top too.
        pool = list(catalog.artists)
        for artist_id in pool[shift:] + pool[:shift]:
            if len(artists) >= min(n_top, len(pool)):
                break
            artists.setdefault(artist_id)
        lib.top_artists[time_range] = list(artists)
