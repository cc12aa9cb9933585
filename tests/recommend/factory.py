"""Small hand-made catalogs for the recommend tests: Tracks with chosen features."""

from __future__ import annotations

from typing import Any

import numpy as np

from echotune.catalog.models import AudioFeatures, Track

BASE_FEATURES: dict[str, Any] = {
    "acousticness": 0.2,
    "danceability": 0.6,
    "duration_ms": 200_000,
    "energy": 0.6,
    "instrumentalness": 0.0,
    "key": 5,
    "liveness": 0.1,
    "loudness": -6.0,
    "mode": 1,
    "speechiness": 0.05,
    "tempo": 120.0,
    "time_signature": 4,
    "valence": 0.5,
}


def track(
    track_id: str,
    artist: str = "artist",
    genre: str | None = "pop",
    subgenre: str | None = None,
    popularity: int = 50,
    with_features: bool = True,
    **features: float,
) -> Track:
    values = {**BASE_FEATURES, **features}
    for name in ("duration_ms", "key", "mode", "time_signature"):
        values[name] = int(values[name])
    return Track(
        id=track_id,
        name=f"song {track_id}",
        artist_id=artist,
        artist_name=artist.title(),
        popularity=popularity,
        genre=genre,
        subgenre=subgenre,
        features=AudioFeatures(**values) if with_features else None,
    )


def random_catalog(n: int, seed: int = 0, artists: int = 40) -> list[Track]:
    """`n` tracks with varied features over two genres (`rock`, `pop`) and subgenres."""
    rng = np.random.default_rng(seed)
    tracks = []
    for i in range(n):
        rock = i % 2 == 0
        tracks.append(
            track(
                f"t{i:05d}",
                artist=f"a{int(rng.integers(artists)):03d}",
                genre="rock" if rock else "pop",
                subgenre=("hard rock" if rng.random() < 0.5 else "album rock")
                if rock
                else "dance pop",
                popularity=int(rng.integers(0, 101)),
                acousticness=float(rng.beta(1, 4)),
                danceability=float(rng.beta(5 if not rock else 3, 3)),
                energy=float(rng.beta(6 if rock else 3, 2)),
                valence=float(rng.random()),
                tempo=float(max(rng.normal(130 if rock else 115, 20), 40.0)),
                loudness=float(-rng.gamma(4, 1.5)),
                speechiness=float(rng.beta(1, 12)),
                liveness=float(rng.beta(2, 8)),
                instrumentalness=float(rng.beta(0.2, 5)),
                duration_ms=int(rng.normal(220_000, 40_000)),
                key=int(rng.integers(-1, 12)),
                mode=int(rng.integers(0, 2)),
                time_signature=int(rng.choice([3, 4, 4, 4, 5])),
            )
        )
    return tracks
