"""Standardised similarity space: z-scores per tunable attribute, weighted.

Raw columns follow `TUNABLE_ATTRIBUTES`. The standardised space has one column
per attribute except `key`, which becomes two (a point on the pitch-class
circle), so that B and C are neighbours and "no key detected" (-1) sits at the centre, equally far from
every key. Each column is multiplied by the square root of its attribute's
similarity weight, so a plain squared Euclidean distance in this space is the
weighted distance the ranker wants.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from echotune.catalog.models import TUNABLE_ATTRIBUTES

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]

# Why these weights: timbre and mood (energy, valence, acoustic/instrumental,
# danceability) carry most of what listeners hear as "similar"; length,
# liveness and loudness matter less; key, mode and time signature are
# near-uniform or near-constant across a catalog and would otherwise add
# noise of the same size as energy.
SIMILARITY_WEIGHTS: dict[str, float] = {
    "acousticness": 1.0,
    "danceability": 1.0,
    "duration_ms": 0.3,
    "energy": 1.0,
    "instrumentalness": 0.8,
    "key": 0.2,
    "liveness": 0.3,
    "loudness": 0.6,
    "mode": 0.3,
    "speechiness": 0.8,
    "tempo": 0.5,
    "time_signature": 0.1,
    "valence": 1.0,
    "popularity": 0.3,
}

# Skewed columns (speechiness, instrumentalness, duration) have rare z-scores
# beyond 10; clipping keeps one outlier attribute from swamping the rest.
Z_CLIP = 4.0

RAW_COLUMN: dict[str, int] = {name: i for i, name in enumerate(TUNABLE_ATTRIBUTES)}


def _z_layout() -> dict[str, tuple[int, ...]]:
    layout: dict[str, tuple[int, ...]] = {}
    col = 0
    for name in TUNABLE_ATTRIBUTES:
        width = 2 if name == "key" else 1
        layout[name] = tuple(range(col, col + width))
        col += width
    return layout


Z_COLUMNS: dict[str, tuple[int, ...]] = _z_layout()
Z_WIDTH: int = sum(len(cols) for cols in Z_COLUMNS.values())


def _z_weights() -> F64:
    weights = np.empty(Z_WIDTH, dtype=np.float64)
    for name, cols in Z_COLUMNS.items():
        weights[list(cols)] = SIMILARITY_WEIGHTS[name]
    return weights


# Weight of each standardised column; the key's weight applies to both halves.
Z_WEIGHTS: F64 = _z_weights()
# Total weight, so a distance divided by it is a per-attribute mean.
TOTAL_WEIGHT: float = float(sum(SIMILARITY_WEIGHTS.values()))


def _key_circle(keys: npt.NDArray[np.floating]) -> tuple[F64, F64]:
    angle = keys.astype(np.float64) * (2.0 * math.pi / 12.0)
    unknown = keys < 0
    return np.where(unknown, 0.0, np.sin(angle)), np.where(unknown, 0.0, np.cos(angle))


@dataclass(frozen=True)
class Scaler:
    """Per-attribute mean and std of one catalog, and the map into z-space."""

    mean: F64
    std: F64

    @classmethod
    def fit(cls, raw: F32) -> Scaler:
        if raw.shape[0] == 0:
            return cls(np.zeros(raw.shape[1]), np.ones(raw.shape[1]))
        mean = raw.mean(axis=0, dtype=np.float64)
        std = raw.std(axis=0, dtype=np.float64)
        # A constant column (tiny catalogs, all 4/4) must not divide by zero.
        std = np.where(std > 1e-9, std, 1.0)
        return cls(mean, std)

    def transform(self, raw: F32, out: F32 | None = None) -> F32:
        """Weighted z-scores of every row, column-major like `raw`, into `out` if given."""
        if out is None:
            out = np.empty((raw.shape[0], Z_WIDTH), dtype=np.float32, order="F")
        for name, cols in Z_COLUMNS.items():
            j = RAW_COLUMN[name]
            if name == "key":
                sin, cos = _key_circle(raw[:, j])
                out[:, cols[0]] = sin
                out[:, cols[1]] = cos
            else:
                z = (raw[:, j].astype(np.float64) - self.mean[j]) / self.std[j]
                out[:, cols[0]] = np.clip(z, -Z_CLIP, Z_CLIP)
            for c in cols:
                out[:, c] *= np.float32(math.sqrt(Z_WEIGHTS[c]))
        return out

    def point(self, name: str, value: float) -> F64:
        """One attribute value in weighted z-space, as the values of `Z_COLUMNS[name]`."""
        cols = Z_COLUMNS[name]
        if name == "key":
            sin, cos = _key_circle(np.array([value]))
            values = np.array([sin[0], cos[0]])
        else:
            j = RAW_COLUMN[name]
            z = (value - self.mean[j]) / self.std[j]
            values = np.array([min(max(z, -Z_CLIP), Z_CLIP)])
        result: F64 = values * np.sqrt(Z_WEIGHTS[list(cols)])
        return result
