"""How raw play weights become model input.

Play counts are heavy-tailed: one track on repeat would otherwise outweigh a
whole taste. `binary` keeps only "played", `log` keeps some of the intensity
(1 + log of the weight), `raw` keeps it all. `bm25` additionally damps users
with long histories and popular items (as in `implicit.nearest_neighbours`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

Weighting = Literal["binary", "log", "raw", "bm25"]
WEIGHTINGS: tuple[Weighting, ...] = ("binary", "log", "raw", "bm25")


def weigh(matrix: sp.csr_matrix, weighting: Weighting) -> sp.csr_matrix:
    """A re-weighted copy of a canonical user x item CSR matrix (float32)."""
    out = matrix.astype(np.float32, copy=True)
    if weighting == "binary":
        out.data[:] = 1.0
    elif weighting == "log":
        out.data = log_weights(out.data)
    elif weighting == "bm25":
        out = bm25(out)
    return out


BM25_K1 = 100.0
BM25_B = 0.8


@dataclass(frozen=True)
class Bm25Stats:
    """What BM25 needs from the whole matrix: each item's idf and the mean user length.

    Kept with a trained model so one listener's row can be weighted later
    exactly as training weighted the rows (`personal/cf_scorer.py`).
    """

    idf: npt.NDArray[np.float64]
    mean_length: float

    @classmethod
    def of(cls, matrix: sp.csr_matrix) -> Bm25Stats:
        n_users = max(matrix.shape[0], 1)
        item_users = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.float64)
        length = np.asarray(matrix.sum(axis=1)).ravel()
        mean = float(length.mean()) if length.size else 0.0
        return cls(np.log(n_users) - np.log1p(item_users), max(mean, 1e-12))

    def values(
        self, counts: npt.NDArray[np.floating], items: npt.NDArray[np.int64], length: npt.ArrayLike
    ) -> npt.NDArray[np.float64]:
        """BM25 weights of `counts` of `items`, each in a row of total weight `length`.

        The arithmetic stays in the inputs' precision (float32 plays) until the
        idf: ALS fits are sensitive enough that float64 here moved validation
        NDCG@10 by ~1% on the playlists.
        """
        norm = (1.0 - BM25_B) + BM25_B * np.asarray(length) / self.mean_length
        saturation = counts * (BM25_K1 + 1.0) / (BM25_K1 * norm + counts)
        weights: npt.NDArray[np.float64] = saturation * self.idf[items]
        return weights


def log_weights(plays: npt.NDArray[np.floating]) -> npt.NDArray[np.float32]:
    """1 + ln(plays), in float32; weights below 1 (fractions of a play) count as one play."""
    out: npt.NDArray[np.float32] = (1.0 + np.log(np.maximum(plays, 1.0))).astype(np.float32)
    return out


def bm25(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """BM25 weights of a user x item matrix, items as terms and users as documents."""
    stats = Bm25Stats.of(matrix)
    coo = matrix.tocoo()
    length = np.asarray(matrix.sum(axis=1)).ravel()
    data = stats.values(coo.data, coo.col.astype(np.int64), length[coo.row])
    out = sp.csr_matrix((data.astype(np.float32), (coo.row, coo.col)), shape=matrix.shape)
    out.eliminate_zeros()
    out.sort_indices()
    return out
