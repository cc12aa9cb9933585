"""Seeds resolved against the index: a point to be near, rows to favour, labels.

A track seed is its own point; an artist seed is the centroid of the artist's
tracks and favours them a little; a genre seed is the genre's centroid and
favours the genre's tracks. Labels (genres) define each seed's candidate pool
for Spotify's pool-size figures. Unknown ids and genres are the caller's
error (400), as on Spotify.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from echotune.errors import InvalidInput
from echotune.recommend.feature_index import FeatureIndex
from echotune.recommend.genres import Ranges
from echotune.recommend.query import RecommendationQuery

SeedType = Literal["ARTIST", "GENRE", "TRACK"]
F32 = npt.NDArray[np.float32]
I32 = npt.NDArray[np.int32]
Rows = npt.NDArray[np.intp]

_NO_LABELS: I32 = np.empty(0, dtype=np.int32)


@dataclass(frozen=True, eq=False)
class ResolvedSeed:
    type: SeedType
    id: str
    point: F32 | None  # in the index's standardised space; None when nothing to be near
    labels: I32  # genre codes that make up this seed's candidate pool
    favoured_rows: Rows | None = None  # rows that get this seed's membership bonus ...
    favoured_ranges: Ranges = ()  # ... and row slices that do
    own_row: int | None = None  # a track seed's row, never recommended back
    artist_code: int | None = None  # an artist seed's code, exempt from the variety cap


def _centroid(index: FeatureIndex, rows: Rows) -> F32 | None:
    if rows.size == 0:
        return None
    point: F32 = index.standardised[rows].mean(axis=0, dtype=np.float64).astype(np.float32)
    return point


def _track_seed(index: FeatureIndex, track_id: str) -> ResolvedSeed:
    row = index.row_of(track_id)
    if row is not None:
        rows = np.array([row], dtype=np.intp)
        own: F32 = np.ascontiguousarray(index.standardised[row])
        labels = index.genres.codes_of_rows(rows)
        return ResolvedSeed("TRACK", track_id, own, labels, own_row=row)
    meta = index.featureless_track(track_id)
    if meta is None:
        raise InvalidInput(f"invalid seed_tracks id: {track_id!r} is not in the catalog")
    # No features of its own: its artist's sound is the best stand-in.
    point = _centroid(index, index.artist_rows(meta.artist_id))
    labels = index.genres.codes_of_names(meta.genre, meta.subgenre)
    return ResolvedSeed("TRACK", track_id, point, labels)


def _artist_seed(index: FeatureIndex, artist_id: str) -> ResolvedSeed:
    if not index.has_artist(artist_id):
        raise InvalidInput(f"invalid seed_artists id: {artist_id!r} is not in the catalog")
    rows = index.artist_rows(artist_id)
    labels = index.genres.codes_of_rows(rows) if rows.size else _NO_LABELS
    code = index.artist_code(artist_id)
    point = _centroid(index, rows)
    return ResolvedSeed("ARTIST", artist_id, point, labels, favoured_rows=rows, artist_code=code)


def _genre_seed(index: FeatureIndex, genre: str) -> ResolvedSeed:
    code = index.genres.code(genre)
    if code is None:
        raise InvalidInput(
            f"invalid seed_genres value: {genre!r} is not an available genre seed "
            "(see /v1/recommendations/available-genre-seeds)"
        )
    point = np.ascontiguousarray(index.genres.centroids[code])
    labels = np.array([code], dtype=np.int32)
    ranges = index.genres.ranges(code)
    return ResolvedSeed("GENRE", genre, point, labels, favoured_ranges=ranges)


def resolve_seeds(index: FeatureIndex, query: RecommendationQuery) -> list[ResolvedSeed]:
    """Seeds in Spotify's parameter order: artists, genres, tracks."""
    return [
        *(_artist_seed(index, a) for a in query.seed_artists),
        *(_genre_seed(index, g) for g in query.seed_genres),
        *(_track_seed(index, t) for t in query.seed_tracks),
    ]
