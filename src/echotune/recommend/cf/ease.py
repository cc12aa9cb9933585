"""`ease`: Steck's EASE^R (2019), a closed-form item-item linear model.

B = I - P diagMat(1/diag(P)) with P = (XᵀX + λI)⁻¹, score = x_u B (see
`ease_solver`). With fewer users than items (up to 8,000 users) the dual form
covers every item. Otherwise B is dense item x item, so only the `max_items`
most popular items take part: 20,000 items would need 1.6 GB per float32 copy
and minutes of Cholesky; the default, 10,000 items, needs ~0.8 GB at peak and
~15 s on one core. Items outside it score 0 here (the `echotune` model covers
them with its sparse neighbours).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from echotune.recommend.cf.base import F32, Idx, NotFitted, ScoringModel
from echotune.recommend.cf.ease_solver import EaseSolution, dual_applies, solve
from echotune.recommend.cf.item_based import TIE_BREAK
from echotune.recommend.cf.popularity import item_popularity, popularity_prior
from echotune.recommend.cf.weighting import Weighting, weigh

DEFAULT_MAX_ITEMS = 10_000


def ease_items(matrix: sp.csr_matrix, max_items: int) -> Idx:
    """The items EASE covers, ascending: every played item when the dual form applies
    (fewer users than items), else the `max_items` with most users (ties: lower index)."""
    counts = item_popularity(matrix)
    played = np.flatnonzero(counts > 0)
    if not dual_applies(matrix.shape[0], played.size) and played.size > max_items:
        order = np.argsort(-counts[played], kind="stable")[:max_items]
        played = played[order]
    return np.sort(played).astype(np.int64)


class EASE(ScoringModel):
    """EASE on every item (dual form) or on the `max_items` most popular (primal form)."""

    name = "ease"

    def __init__(
        self,
        lam: float = 100.0,
        max_items: int = DEFAULT_MAX_ITEMS,
        weighting: Weighting = "binary",
    ) -> None:
        super().__init__()
        self.lam = lam
        self.max_items = max_items
        self.weighting: Weighting = weighting
        self._head: Idx | None = None
        self._solution: EaseSolution | None = None
        self._x: sp.csr_matrix | None = None
        self._prior: F32 | None = None

    def _fit(self, matrix: sp.csr_matrix) -> None:
        self._head = ease_items(matrix, self.max_items)
        self._x = weigh(matrix, self.weighting)[:, self._head].tocsr()
        self._solution = solve(self._x, self.lam)
        self._prior = popularity_prior(matrix) * np.float32(TIE_BREAK)

    def _scores(self, users: Idx) -> F32:
        if self._solution is None or self._x is None or self._head is None or self._prior is None:
            raise NotFitted(self.name)
        scores = np.tile(self._prior, (users.size, 1))
        scores[:, self._head] += self._solution.user_scores(self._x[users])
        return scores

    def explain(self, user_index: int, item_index: int, n: int = 3) -> list[tuple[int, float]]:
        if self._solution is None or self._x is None or self._head is None:
            raise NotFitted(self.name)
        column = int(np.searchsorted(self._head, item_index))
        if column >= self._head.size or self._head[column] != item_index:
            return []
        row = self._x[user_index]
        seen = row.indices.astype(np.int64)
        contributions = row.data * self._solution.entries(seen, column)
        order = np.argsort(-contributions, kind="stable")[:n]
        return [
            (int(self._head[row.indices[o]]), float(contributions[o]))
            for o in order
            if contributions[o] > 0
        ]
