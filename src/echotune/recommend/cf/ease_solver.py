"""EASE and its dropout variant DLAE: closed-form item-item models, in two forms.

EASE (Steck 2019): B = I - P·diagMat(1/diag(P)), P = (XᵀX + λI)⁻¹.
DLAE (Steck 2020, "Autoencoders that don't overfit towards the identity"):
training under dropout with probability p adds q·diag(XᵀX) to the ridge
penalty, q = p / (1 - p), so P = (XᵀX + Λ)⁻¹ with Λ = λI + q·diagMat(XᵀX), and
B = I - P·Λ. Popular items, whose own column would predict them best, pay
the most for it. Both are P's columns times a per-column scale (1/diag(P)
or Λ) off the diagonal; `dropout` = q picks DLAE when > 0, EASE at 0. The
diagonal is zeroed in both: it only scores items the user already played.

- `PrimalEase` inverts the item x item Gram matrix and keeps B dense: cost
  n_items³, memory n_items², so the model limits it to the head items.
- `DualEase` is for fewer users than items (playlists, small communities). By
  Woodbury, P = Λ⁻¹ - Λ⁻¹Xᵀ K X Λ⁻¹ with K = (I + X Λ⁻¹ Xᵀ)⁻¹ of size users x
  users, so B is never formed: only K and K X Λ⁻¹ (users x items) are kept,
  and any block of B's columns costs one sparse-dense product. This lets
  EASE cover every item without the n_items² matrix.
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


def solve(x: sp.csr_matrix, lam: float, dropout: float = 0.0) -> EaseSolution:
    """The cheaper form for users x items matrix `x`: EASE, or DLAE with `dropout` q > 0."""
    if dual_applies(*x.shape):
        return DualEase(x, lam, dropout)
    return PrimalEase(x, lam, dropout)


def dual_applies(n_users: int, n_items: int) -> bool:
    """Whether the users x users form is both cheaper and small enough to hold."""
    return n_users < n_items and n_users <= DUAL_MAX_USERS and n_users * n_items <= DUAL_MAX_CELLS


def penalty(x: sp.csr_matrix, lam: float, dropout: float) -> F64:
    """Λ's diagonal: λ + q·(XᵀX)_ii per item."""
    squares = np.asarray(x.multiply(x).sum(axis=0), dtype=np.float64).ravel()
    return lam + dropout * squares


def _scale(lam: F64, diag_p: F64, dropout: float) -> F64:
    """What P's column j is multiplied by (and negated) to give B's column j."""
    return lam if dropout > 0 else 1.0 / diag_p


class PrimalEase:
    def __init__(self, x: sp.csr_matrix, lam: float, dropout: float = 0.0) -> None:
        gram = gram_matrix(x)
        lams = penalty(x, lam, dropout)
        gram[np.diag_indices_from(gram)] += lams.astype(np.float32)
        with single_threaded_blas():
            p = spd_inverse(gram)
        scale = _scale(lams, np.diag(p).astype(np.float64), dropout)
        p *= -scale.astype(np.float32)[np.newaxis, :]
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
    def __init__(self, x: sp.csr_matrix, lam: float, dropout: float = 0.0) -> None:
        self.x = sp.csr_matrix(x, dtype=np.float64)
        self.lams = penalty(self.x, lam, dropout)
        inverse = 1.0 / self.lams
        # Λ⁻¹Xᵀ (items x users): P's columns are built from it.
        self.xt = sp.csr_matrix(self.x.T.multiply(inverse[:, np.newaxis]))
        # X Λ⁻¹ Xᵀ as the Gram of Λ^-½ Xᵀ, built in blocks (one sparse product
        # of up to 8,000² entries would be ~0.8 GB).
        half = sp.csr_matrix(self.x.T.multiply(np.sqrt(inverse)[:, np.newaxis]))
        inner = gram_matrix(half).astype(np.float64)
        del half
        inner[np.diag_indices_from(inner)] += 1.0
        with single_threaded_blas():
            k = spd_inverse(inner)
        # K X Λ⁻¹ stored transposed (items x users) so a block of item rows is contiguous.
        self.kxt: F64 = np.asarray(self.xt @ k)
        # diag(P)_i = (1 - x_iᵀ K x_i / Λ_i) / Λ_i, x_i the column of item i.
        quad = np.asarray(self.x.T.multiply(self.kxt).sum(axis=1)).ravel()
        self.diag_p: F64 = (1.0 - quad) * inverse
        self.scale: F64 = _scale(self.lams, self.diag_p, dropout)

    def _p_columns(self, start: int, stop: int) -> F64:
        block = -np.asarray(self.xt @ self.kxt[start:stop].T)
        block[np.arange(start, stop), np.arange(stop - start)] += 1.0 / self.lams[start:stop]
        return block

    def user_scores(self, rows: sp.csr_matrix) -> F32:
        # x B = (x ∘ diag(P) - x P) ∘ scale, which also zeroes B's diagonal.
        rows64 = sp.csr_matrix(rows, dtype=np.float64)
        dense = rows64.toarray()
        # (x Λ⁻¹Xᵀ) K X Λ⁻¹ as a dense product (BLAS reads kxt transposed in place): as
        # a sparse product scipy copied all of kxt per block, 17.6x slower at Last.fm's size.
        xp = dense / self.lams - (rows64 @ self.xt).toarray() @ self.kxt.T
        return np.asarray((dense * self.diag_p - xp) * self.scale, dtype=np.float32)

    def columns(self, start: int, stop: int) -> F32:
        b = -self._p_columns(start, stop) * self.scale[start:stop]
        b[np.arange(start, stop), np.arange(stop - start)] = 0.0
        return b.astype(np.float32)

    def entries(self, rows: Idx, column: int) -> F32:
        p = -np.asarray(self.xt[rows] @ self.kxt[column]).ravel()
        p[rows == column] += 1.0 / float(self.lams[column])
        b = -p * float(self.scale[column])
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
    """Inverse of a symmetric positive definite matrix via Cholesky, in place.

    Returned in row-major (C) order. LAPACK hands back a column-major array,
    and a sparse block of users times a column-major B made scipy copy all of
    B on every call: scoring 5,000 users over 10,000 EASE items took 46 s
    instead of 1.3 s (`bench/ease_scoring.py`). The inverse is symmetric, so
    its transpose is the same matrix in row-major order, with no copy.
    """
    potrf, potri = lapack.get_lapack_funcs(("potrf", "potri"), (a,))
    factor, info = potrf(a, lower=1, overwrite_a=1, clean=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"Cholesky failed (info={info}); raise the regularisation")
    inverse, info = potri(factor, lower=1, overwrite_c=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"inverse from Cholesky failed (info={info})")
    _symmetrise_from_lower(inverse)
    result: FloatArray = inverse.T if not inverse.flags.c_contiguous else inverse
    return result


def _symmetrise_from_lower(a: FloatArray) -> None:
    n = a.shape[0]
    for start in range(0, n, BLOCK):
        stop = min(start + BLOCK, n)
        a[start:stop, stop:] = a[stop:, start:stop].T
        block = a[start:stop, start:stop]
        upper = np.triu_indices(stop - start, 1)
        block[upper] = block.T[upper]
