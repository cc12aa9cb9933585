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

from typing import Protocol, TypeVar

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.linalg import lapack

from echotune.recommend.cf.blas import single_threaded_blas

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
Idx = npt.NDArray[np.int64]
FloatArray = TypeVar("FloatArray", F32, F64)
# Rows of a Gram matrix built per sparse product, and rows symmetrised per step.
BLOCK = 1024
# The dual form keeps K (users², float64) and KX (users x items): caps on both.
DUAL_MAX_USERS = 8_000
DUAL_MAX_CELLS = 60_000_000
# Cells of B materialised at a time while pruning it (~32 MB of float64).
PRUNE_BLOCK_CELLS = 4_000_000


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
    if dual_applies(*x.shape):
        return DualEase(x, lam)
    return PrimalEase(x, lam)


def dual_applies(n_users: int, n_items: int) -> bool:
    """Whether the users x users form is both cheaper and small enough to hold."""
    return n_users < n_items and n_users <= DUAL_MAX_USERS and n_users * n_items <= DUAL_MAX_CELLS


class PrimalEase:
    def __init__(self, x: sp.csr_matrix, lam: float) -> None:
        gram = gram_matrix(x)
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
        values: F32 = self.b[rows, column]
        return values


class DualEase:
    def __init__(self, x: sp.csr_matrix, lam: float) -> None:
        self.x = sp.csr_matrix(x, dtype=np.float64)
        self.xt = self.x.T.tocsr()
        self.lam = lam
        inner = gram_matrix(self.xt).astype(np.float64)
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
        b = -(p / self.lam) / float(self.diag_p[column])
        b[rows == column] = 0.0
        return b.astype(np.float32)


def pruned(solution: EaseSolution, n_items: int, k: int) -> sp.csr_matrix:
    """B as a sparse matrix keeping the `k` largest |weights| of each column (target item).

    Built a block of columns at a time, so the dense B is never whole in memory
    (for the dual form) or copied (for the primal one).
    """
    k = min(k, n_items)
    rows_out: list[Idx] = []
    cols_out: list[Idx] = []
    vals_out: list[F32] = []
    step = max(1, PRUNE_BLOCK_CELLS // max(n_items, 1))
    for start in range(0, n_items, step):
        block = solution.columns(start, min(start + step, n_items))
        top = np.argpartition(-np.abs(block), k - 1, axis=0)[:k] if k < n_items else None
        if top is None:
            top = np.broadcast_to(np.arange(n_items)[:, None], block.shape)
        rows_out.append(top.ravel().astype(np.int64))
        cols_out.append(
            np.broadcast_to(np.arange(start, start + block.shape[1]), top.shape).ravel()
        )
        vals_out.append(np.take_along_axis(block, top, axis=0).ravel())
    out = sp.csr_matrix(
        (np.concatenate(vals_out), (np.concatenate(rows_out), np.concatenate(cols_out))),
        shape=(n_items, n_items),
        dtype=np.float32,
    )
    out.eliminate_zeros()
    out.sort_indices()
    return out


def gram_matrix(x: sp.csr_matrix) -> F32:
    """XᵀX as a dense float32 array, built in row blocks to avoid one huge sparse product."""
    n = x.shape[1]
    xt = x.T.tocsr()
    gram = np.zeros((n, n), dtype=np.float32)
    for start in range(0, n, BLOCK):
        stop = min(start + BLOCK, n)
        gram[start:stop] = (xt[start:stop] @ x).toarray()
    return gram


def spd_inverse(a: FloatArray) -> FloatArray:
    """Inverse of a symmetric positive definite matrix via Cholesky, in place."""
    potrf, potri = lapack.get_lapack_funcs(("potrf", "potri"), (a,))
    factor, info = potrf(a, lower=1, overwrite_a=1, clean=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"Cholesky failed (info={info}); raise the regularisation")
    inverse, info = potri(factor, lower=1, overwrite_c=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"inverse from Cholesky failed (info={info})")
    _symmetrise_from_lower(inverse)
    result: FloatArray = inverse
    return result


def _symmetrise_from_lower(a: FloatArray) -> None:
    n = a.shape[0]
    for start in range(0, n, BLOCK):
        stop = min(start + BLOCK, n)
        a[start:stop, stop:] = a[stop:, start:stop].T
        block = a[start:stop, start:stop]
        upper = np.triu_indices(stop - start, 1)
        block[upper] = block.T[upper]
