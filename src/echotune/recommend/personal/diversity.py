"""Maximal marginal relevance (Carbonell & Goldstein 1998) over a candidate pool.

Each pick maximises (1 − λ)·relevance − λ·(max similarity to the picks so far),
λ = `diversity`. Similarity is a kernel of the standardised audio-feature
distance, raised to 1 for two tracks by the same artist, so a diverse list
varies both sound and artist.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from echotune.recommend.feature_index import FeatureIndex
from echotune.recommend.scaling import TOTAL_WEIGHT

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
Rows = npt.NDArray[np.intp]

KERNEL_WIDTH = 0.5


def pairwise_similarity(index: FeatureIndex, rows: Rows) -> F64:
    z = index.standardised[rows].astype(np.float64)
    sq = (z * z).sum(axis=1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * z @ z.T, 0.0)
    sim: F64 = 1.0 / (1.0 + d2 / (TOTAL_WEIGHT * KERNEL_WIDTH))
    artists = index.artist_codes[rows]
    sim[artists[:, None] == artists[None, :]] = 1.0
    return sim


def mmr(index: FeatureIndex, pool: Rows, relevance: F32, k: int, diversity: float) -> list[int]:
    """Up to k rows of `pool` (given best first), re-ranked for diversity."""
    if pool.size == 0:
        return []
    k = min(k, pool.size)
    if diversity <= 0:
        return [int(r) for r in pool[:k]]
    rel = relevance.astype(np.float64)
    spread = rel.max() - rel.min()
    rel = (rel - rel.min()) / spread if spread > 0 else np.ones_like(rel)
    sim = pairwise_similarity(index, pool)
    chosen = [0]
    closest = sim[0].copy()
    available = np.ones(pool.size, dtype=bool)
    available[0] = False
    for _ in range(k - 1):
        gain = (1.0 - diversity) * rel - diversity * closest
        gain[~available] = -np.inf
        pick = int(np.argmax(gain))
        chosen.append(pick)
        available[pick] = False
        np.maximum(closest, sim[pick], out=closest)
    return [int(pool[i]) for i in chosen]
