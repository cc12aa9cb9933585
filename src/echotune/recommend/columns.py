"""Catalog columns: tracks streamed in batches, gathered into flat arrays.

`IndexBuilder` takes the `list[Track]` batches storage yields and keeps only
flat columns (no Track objects), so a large catalog never sits in memory
twice. The synthetic generator produces the same `CatalogColumns` directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter

import numpy as np
import numpy.typing as npt

from echotune.catalog.models import FEATURE_NAMES, TUNABLE_ATTRIBUTES, Track

F32 = npt.NDArray[np.float32]

_features_of = attrgetter(*FEATURE_NAMES)


@dataclass(frozen=True, slots=True)
class FeaturelessTrack:
    """A track known by metadata only: it can seed, but never be ranked."""

    artist_id: str
    genre: str | None
    subgenre: str | None


@dataclass(frozen=True)
class CatalogColumns:
    """One row per track with audio features; raw values in `TUNABLE_ATTRIBUTES` order."""

    ids: list[str]
    artist_ids: list[str]
    genres: list[str | None]
    subgenres: list[str | None]
    raw: F32
    featureless: dict[str, FeaturelessTrack] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.ids)
        if not (len(self.artist_ids) == len(self.genres) == len(self.subgenres) == n):
            raise ValueError("catalog columns differ in length")
        if self.raw.shape != (n, len(TUNABLE_ATTRIBUTES)):
            raise ValueError(f"raw matrix has shape {self.raw.shape}, expected ({n}, 14)")


class IndexBuilder:
    """Accumulates Track batches; a repeated id keeps its last copy, as upserts do."""

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._artists: list[str] = []
        self._genres: list[str | None] = []
        self._subgenres: list[str | None] = []
        self._chunks: list[F32] = []
        self._row_seq: list[int] = []
        self._featureless: dict[str, tuple[int, FeaturelessTrack]] = {}
        self._last_seq: dict[str, int] = {}
        self._seq = 0

    def add(self, batch: Iterable[Track]) -> None:
        rows: list[tuple[float, ...]] = []
        for track in batch:
            seq = self._seq
            self._seq += 1
            self._last_seq[track.id] = seq
            if track.features is None:
                meta = FeaturelessTrack(track.artist_id, track.genre, track.subgenre)
                self._featureless[track.id] = (seq, meta)
                continue
            self._ids.append(track.id)
            self._artists.append(track.artist_id)
            self._genres.append(track.genre)
            self._subgenres.append(track.subgenre)
            self._row_seq.append(seq)
            rows.append((*_features_of(track.features), float(track.popularity)))
        if rows:
            self._chunks.append(np.asarray(rows, dtype=np.float32))

    def columns(self) -> CatalogColumns:
        width = len(TUNABLE_ATTRIBUTES)
        stacked = np.concatenate(self._chunks) if self._chunks else np.empty((0, width))
        keep = [self._last_seq[i] == s for i, s in zip(self._ids, self._row_seq, strict=True)]
        rows = np.flatnonzero(np.asarray(keep, dtype=bool))
        featureless = {
            tid: meta
            for tid, (seq, meta) in self._featureless.items()
            if self._last_seq[tid] == seq
        }
        return CatalogColumns(
            ids=[self._ids[r] for r in rows],
            artist_ids=[self._artists[r] for r in rows],
            genres=[self._genres[r] for r in rows],
            subgenres=[self._subgenres[r] for r in rows],
            raw=np.asfortranarray(stacked[rows], dtype=np.float32),
            featureless=featureless,
        )
