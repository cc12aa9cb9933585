"""Models that score a user as a weighted sum over the items they played.

score(u, i) = sum_j x_uj W[j, i] + prior_weight * prior(i), with W a sparse
item x item matrix and x the user's re-weighted row. Because the score is a
sum over played items, each played item's share of it is an honest
explanation ("because you played j").
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from echotune.recommend.cf.base import F32, Idx, NotFitted, ScoringModel
from echotune.recommend.cf.popularity import popularity_prior
from echotune.recommend.cf.weighting import Weighting, weigh

# Tiny enough never to reorder items the model scores differently, large enough
# to order the rest (items no played item points to) by popularity, not by index.
TIE_BREAK = 1e-6


class ItemBasedModel(ScoringModel):
    """Shared scoring and explanation; subclasses build `self._weights` in `_build`."""

    def __init__(self, weighting: Weighting = "binary", prior_weight: float = 0.0) -> None:
        super().__init__()
        self.weighting: Weighting = weighting
        self.prior_weight = prior_weight
        self._x: sp.csr_matrix | None = None
        self._weights: sp.csr_matrix | None = None
        self._prior: F32 | None = None

    @property
    def weights(self) -> sp.csr_matrix:
        """The fitted item x item matrix W."""
        if self._weights is None:
            raise NotFitted(f"{self.name} is not fitted")
        return self._weights

    def _fit(self, matrix: sp.csr_matrix) -> None:
        self._x = weigh(matrix, self.weighting)
        self._prior = popularity_prior(matrix) * np.float32(self.prior_weight + TIE_BREAK)
        self._weights = self._build(self._x)

    def _build(self, x: sp.csr_matrix) -> sp.csr_matrix:
        raise NotImplementedError

    def _user_rows(self, users: Idx) -> sp.csr_matrix:
        if self._x is None:
            raise NotFitted(f"{self.name} is not fitted")
        return self._x[users]

    def _scores(self, users: Idx) -> F32:
        if self._prior is None:
            raise NotFitted(f"{self.name} is not fitted")
        scores = np.asarray((self._user_rows(users) @ self.weights).toarray(), dtype=np.float32)
        scores += self._prior
        return scores

    def explain(self, user_index: int, item_index: int, n: int = 3) -> list[tuple[int, float]]:
        """Up to `n` played items with the largest positive contribution x_uj W[j, i]."""
        row = self._user_rows(np.asarray([user_index], dtype=np.int64))
        return top_contributions(row.indices, row.data, self.weights[row.indices], item_index, n)


def top_contributions(
    seen: Idx, weights: F32, rows: sp.csr_matrix, item_index: int, n: int
) -> list[tuple[int, float]]:
    """From `rows` (W restricted to the seen items), the best x_uj W[j, item] terms."""
    hit = rows.indices == item_index
    owners = np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr))[hit]
    contributions = weights[owners] * rows.data[hit]
    order = np.lexsort((seen[owners], -contributions))
    return [
        (int(seen[owners[o]]), float(contributions[o])) for o in order[:n] if contributions[o] > 0
    ]
