"""The EASE weights B = I - P·diagMat(1/diag(P)), P = (XᵀX + λI)⁻¹, in two forms.

- `PrimalEase` inverts the item x item Gram matrix and keeps B dense: cost
  n_items³, memory n_items², so the model limits it to the head items.
- `DualEase` is for fewer users than items (playlists, small communities). By
  Woodbury, P = (I - Xᵀ K X) / λ with K = (λI + XXᵀ)⁻¹ of size users x users,
  so B is never formed: only K and KX (users x items) are kept, and any
  block of B's columns costs one sparse-dense product. This lets EASE cover
  every item without the n_items² matrix.
Both answer the same three questions: scores of some users, a block of B's
columns, and single entries of B (for explanations).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.linalg import lapack

from echotune.recommend.cf.blas import single_threaded_blas

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
Idx = npt.NDArray[np.int64]
# Rows of a Gram matrix built per sparse product, and rows symmetrised per step.
BLOCK = 1024
# The dual form keeps K (users², float64) and KX (users x items): caps on both.
DUAL_MAX_USERS = 8_000
DUAL_MAX_CELLS = 60_000_000


class EaseSolution(Protocol):
    def user_scores(self, rows: sp.csr_matrix) -> F32:
        """x B for user rows x (over the solution's items)."""
        ...

    def columns(self, start: int, stop: int) -> F32:
        """B[:, start:stop], dense."""
        ...

    def entries(self, rows: Idx, column: int) -> F32:
        """B[rows, column]."""
        ...


def solve(x: sp.csr_matrix, lam: float) -> EaseSolution:
    """The cheaper form for users x items matrix `x`."""
    n_users, n_items = x.shape
    if n_users < n_items and n_users <= DUAL_MAX_USERS and n_users * n_items <= DUAL_MAX_CELLS:
        return DualEase(x, lam)
    return PrimalEase(x, lam)


class PrimalEase:
    def __init__(self, x: sp.csr_matrix, lam: float) -> None:
        gram = gram_matrix(x, np.float32)
        gram[np.diag_indices_from(gram)] += np.float32(lam)
        with single_threaded_blas():
            p = spd_inverse(gram)
        p /= -np.diag(p)[np.newaxis, :]
        p[np.diag_indices_from(p)] = 0.0
        self.b: F32 = p

    def user_scores(self, rows: sp.csr_matrix) -> F32:
        return np.asarray(rows @ self.b, dtype=np.float32)

    def columns(self, start: int, stop: int) -> F32:
        return self.b[:, start:stop]

    def entries(self, rows: Idx, column: int) -> F32:
        return self.b[rows, column]


class DualEase:
    def __init__(self, x: sp.csr_matrix, lam: float) -> None:
        self.x = sp.csr_matrix(x, dtype=np.float64)
        self.xt = self.x.T.tocsr()
        self.lam = lam
        inner = gram_matrix(self.xt, np.float64)
        inner[np.diag_indices_from(inner)] += lam
        with single_threaded_blas():
            k = spd_inverse(inner)
        # KX stored transposed (items x users) so a block of item rows is contiguous.
        self.kxt: F64 = np.asarray(self.xt @ k)
        # diag(P)_i = (1 - x_iᵀ K x_i) / λ, x_i the column of item i.
        quad = np.asarray(self.xt.multiply(self.kxt).sum(axis=1)).ravel()
        self.diag_p: F64 = (1.0 - quad) / lam

    def _p_columns(self, start: int, stop: int) -> F64:
        block = -np.asarray(self.xt @ self.kxt[start:stop].T)
        block[np.arange(start, stop), np.arange(stop - start)] += 1.0
        return block / self.lam

    def user_scores(self, rows: sp.csr_matrix) -> F32:
        rows64 = sp.csr_matrix(rows, dtype=np.float64)
        xp = (rows64.toarray() - np.asarray((rows64 @ self.x.T) @ self.kxt.T)) / self.lam
        return np.asarray(rows64.toarray() - xp / self.diag_p, dtype=np.float32)

    def columns(self, start: int, stop: int) -> F32:
        b = -self._p_columns(start, stop) / self.diag_p[start:stop]
        b[np.arange(start, stop), np.arange(stop - start)] = 0.0
        return b.astype(np.float32)

    def entries(self, rows: Idx, column: int) -> F32:
        p = -np.asarray(self.xt[rows] @ self.kxt[column]).ravel()
        p[rows == column] += 1.0
        b = -(p / self.lam) / self.diag_p[column]
        b[rows == column] = 0.0
        return b.astype(np.float32)


def gram_matrix(x: sp.csr_matrix, dtype: type[np.floating[npt.NBitBase]]) -> npt.NDArray[np.floating[npt.NBitBase]]:
    """XᵀX as a dense array, built in row blocks to avoid one huge sparse product."""
    n = x.shape[1]
    xt = x.T.tocsr()
    gram = np.zeros((n, n), dtype=dtype)
    for start in range(0, n, BLOCK):
        stop = min(start + BLOCK, n)
        gram[start:stop] = (xt[start:stop] @ x).toarray()
    return gram
