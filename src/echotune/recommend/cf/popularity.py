"""`popularity`: the same chart for everyone, items ranked by how many users played them."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from echotune.recommend.cf.base import F32, Idx, NotFitted, ScoringModel


def item_popularity(matrix: sp.csr_matrix) -> F32:
    """Distinct users per item; counting users, not plays, so one fan's repeats don't chart."""
    return np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.float32)


def popularity_prior(matrix: sp.csr_matrix) -> F32:
    """Popularity squashed to [0, 1) by rank, a tie-breaker and cold-item fallback.

    By rank rather than by count so that its size next to other scores does not
    depend on how skewed the catalog is.
    """
    counts = item_popularity(matrix)
    order = np.argsort(-counts, kind="stable")
    prior = np.empty(counts.size, dtype=np.float32)
    prior[order] = 1.0 - np.arange(counts.size, dtype=np.float32) / max(counts.size, 1)
    prior[counts == 0] = 0.0
    return prior


class Popularity(ScoringModel):
    name = "popularity"

    def __init__(self) -> None:
        super().__init__()
        self._counts: F32 | None = None

    def _fit(self, matrix: sp.csr_matrix) -> None:
        self._counts = item_popularity(matrix)

    def _scores(self, users: Idx) -> F32:
        if self._counts is None:
            raise NotFitted(self.name)
        return np.tile(self._counts, (users.size, 1))
