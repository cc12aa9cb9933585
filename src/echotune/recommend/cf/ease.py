"""`ease`: Steck's EASE^R (2019), a closed-form item-item linear model.

B = I - P diagMat(1/diag(P)) with P = (XᵀX + λI)⁻¹, score = x_u B. B is dense
item x item, so only the `max_items` most popular items take part: 20,000
items would need 1.6 GB per float32 copy and minutes of Cholesky. The default,
10,000 items, needs ~0.8 GB at peak and ~15 s on one core; items outside it
score 0 here (the `echotune` model covers them with its sparse neighbours).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.linalg import lapack

from echotune.recommend.cf.base import F32, Idx, NotFitted, ScoringModel
from echotune.recommend.cf.blas import single_threaded_blas
from echotune.recommend.cf.item_based import TIE_BREAK
from echotune.recommend.cf.popularity import item_popularity, popularity_prior
from echotune.recommend.cf.weighting import Weighting, weigh

DEFAULT_MAX_ITEMS = 10_000
# Rows of the Gram matrix built per sparse product, and rows symmetrised per step.
GRAM_BLOCK = 1024


def head_items(matrix: sp.csr_matrix, max_items: int) -> Idx:
    """Indices of the `max_items` items with most users (ties: lower index), ascending."""
    counts = item_popularity(matrix)
    played = np.flatnonzero(counts > 0)
    if played.size > max_items:
        order = np.argsort(-counts[played], kind="stable")[:max_items]
        played = played[order]
    return np.sort(played).astype(np.int64)


def ease_weights(x: sp.csr_matrix, lam: float) -> F32:
    """The dense EASE matrix B for users x items matrix `x` (float32, zero diagonal)."""
    gram = gram_matrix(x)
    gram[np.diag_indices_from(gram)] += np.float32(lam)
    with single_threaded_blas():
        p = spd_inverse(gram)
    p /= -np.diag(p)[np.newaxis, :]
    p[np.diag_indices_from(p)] = 0.0
    return p


def gram_matrix(x: sp.csr_matrix) -> F32:
    """XᵀX as a dense float32 array, built in row blocks to avoid a huge sparse product."""
    n = x.shape[1]
    xt = x.T.tocsr()
    gram = np.zeros((n, n), dtype=np.float32)
    for start in range(0, n, GRAM_BLOCK):
        stop = min(start + GRAM_BLOCK, n)
        gram[start:stop] = (xt[start:stop] @ x).toarray()
    return gram


def spd_inverse(a: F32) -> F32:
    """Inverse of a symmetric positive definite matrix via Cholesky, in place."""
    factor, info = lapack.spotrf(a, lower=1, overwrite_a=1, clean=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"Cholesky failed (info={info}); raise the regularisation")
    inverse, info = lapack.spotri(factor, lower=1, overwrite_c=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"inverse from Cholesky failed (info={info})")
    _symmetrise_from_lower(inverse)
    result: F32 = inverse
    return result


def _symmetrise_from_lower(a: npt.NDArray[np.float32]) -> None:
    n = a.shape[0]
    for start in range(0, n, GRAM_BLOCK):
        stop = min(start + GRAM_BLOCK, n)
        a[start:stop, stop:] = a[stop:, start:stop].T
        block = a[start:stop, start:stop]
        upper = np.triu_indices(stop - start, 1)
        block[upper] = block.T[upper]


class EASE(ScoringModel):
    """Dense EASE on the `max_items` most popular items."""

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
        self._b: F32 | None = None
        self._x: sp.csr_matrix | None = None
        self._prior: F32 | None = None

    def _fit(self, matrix: sp.csr_matrix) -> None:
        self._head = head_items(matrix, self.max_items)
        self._x = weigh(matrix, self.weighting)[:, self._head].tocsr()
        self._b = ease_weights(self._x, self.lam)
        self._prior = popularity_prior(matrix) * np.float32(TIE_BREAK)

    def _scores(self, users: Idx) -> F32:
        if self._b is None or self._x is None or self._head is None or self._prior is None:
            raise NotFitted(self.name)
        scores = np.tile(self._prior, (users.size, 1))
        scores[:, self._head] += np.asarray(self._x[users] @ self._b, dtype=np.float32)
        return scores

    def explain(self, user_index: int, item_index: int, n: int = 3) -> list[tuple[int, float]]:
        if self._b is None or self._x is None or self._head is None:
            raise NotFitted(self.name)
        column = int(np.searchsorted(self._head, item_index))
        if column >= self._head.size or self._head[column] != item_index:
            return []
        row = self._x[user_index]
        contributions = row.data * self._b[row.indices, column]
        order = np.argsort(-contributions, kind="stable")[:n]
        return [
            (int(self._head[row.indices[o]]), float(contributions[o]))
            for o in order
            if contributions[o] > 0
        ]
