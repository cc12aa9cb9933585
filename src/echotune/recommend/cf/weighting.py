"""How raw play weights become model input.

Play counts are heavy-tailed: one track on repeat would otherwise outweigh a
whole taste. `binary` keeps only "played", `log` keeps some of the intensity
(1 + log of the weight), `raw` keeps it all. `bm25` additionally damps users
with long histories and popular items (as in `implicit.nearest_neighbours`).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import scipy.sparse as sp

Weighting = Literal["binary", "log", "raw", "bm25"]
WEIGHTINGS: tuple[Weighting, ...] = ("binary", "log", "raw", "bm25")


def weigh(matrix: sp.csr_matrix, weighting: Weighting) -> sp.csr_matrix:
    """A re-weighted copy of a canonical user x item CSR matrix (float32)."""
    out = matrix.astype(np.float32, copy=True)
    if weighting == "binary":
        out.data[:] = 1.0
    elif weighting == "log":
        # Weights below 1 (fractions of a play) count as one play.
        out.data = (1.0 + np.log(np.maximum(out.data, 1.0))).astype(np.float32)
    elif weighting == "bm25":
        out = bm25(out)
    return out


def bm25(matrix: sp.csr_matrix, k1: float = 100.0, b: float = 0.8) -> sp.csr_matrix:
    """BM25 weights of a user x item matrix, items as terms and users as documents."""
    coo = matrix.tocoo()
    n_users = max(matrix.shape[0], 1)
    item_users = np.bincount(coo.col, minlength=matrix.shape[1]).astype(np.float64)
    idf = np.log(n_users) - np.log1p(item_users)
    length = np.asarray(matrix.sum(axis=1)).ravel()
    length_norm = (1.0 - b) + b * length / max(float(length.mean()), 1e-12)
    data = coo.data * (k1 + 1.0) / (k1 * length_norm[coo.row] + coo.data) * idf[coo.col]
    out = sp.csr_matrix((data.astype(np.float32), (coo.row, coo.col)), shape=matrix.shape)
    out.eliminate_zeros()
    out.sort_indices()
    return out
