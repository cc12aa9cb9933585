"""The model contract: what every collaborative model provides.

What plugs in here: a class satisfying `Recommender` (fit on an
`Interactions`, answer top-k item indices for user indices, score one user
against every item). Models that can say why an item was recommended also
satisfy `Explainer`. `ScoringModel` is the shared base: a model supplies
dense scores for a block of users and gets batching, seen-item exclusion and
top-k selection from here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from echotune.recommend.cf.interactions import Interactions

F32 = npt.NDArray[np.float32]
Idx = npt.NDArray[np.int64]
# Scores are computed for this many (user x item) cells at a time, ~64 MB of float32.
BLOCK_CELLS = 16_000_000


@runtime_checkable
class Recommender(Protocol):
    """A collaborative model over the item indices of the interactions it was fitted on."""

    name: str

    def fit(self, interactions: Interactions) -> None: ...

    def recommend(self, user_indices: npt.ArrayLike, k: int, exclude_seen: bool = True) -> Idx:
        """Top-`k` item indices per user, best first, shape (n_users, k); -1 pads short rows."""
        ...

    def score(self, user_index: int) -> F32:
        """The score of every item for one user (higher is better)."""
        ...


@runtime_checkable
class Explainer(Protocol):
    def explain(self, user_index: int, item_index: int, n: int = 3) -> list[tuple[int, float]]:
        """The user's items that added most to `item_index`'s score, with their share."""
        ...


class NotFitted(RuntimeError):
    """A model was asked for scores before `fit`."""


class ScoringModel(ABC):
    """Batching, seen-item exclusion and top-k for models that score users densely."""

    name = "model"

    def __init__(self) -> None:
        self._train: sp.csr_matrix | None = None

    @property
    def train(self) -> sp.csr_matrix:
        if self._train is None:
            raise NotFitted(f"{self.name} is not fitted")
        return self._train

    def fit(self, interactions: Interactions) -> None:
        self._train = interactions.matrix
        self._fit(interactions.matrix)

    @abstractmethod
    def _fit(self, matrix: sp.csr_matrix) -> None: ...

    @abstractmethod
    def _scores(self, users: Idx) -> F32:
        """Dense scores, shape (len(users), n_items)."""

    def score(self, user_index: int) -> F32:
        row: F32 = self._scores(np.asarray([user_index], dtype=np.int64))[0]
        return row

    def recommend(self, user_indices: npt.ArrayLike, k: int, exclude_seen: bool = True) -> Idx:
        users = np.asarray(user_indices, dtype=np.int64).reshape(-1)
        n_items = self.train.shape[1]
        out = np.full((users.size, k), -1, dtype=np.int64)
        step = max(1, BLOCK_CELLS // max(n_items, 1))
        for start in range(0, users.size, step):
            block = users[start : start + step]
            scores = self._scores(block)
            if exclude_seen:
                seen = self.train[block]
                scores[seen.nonzero()] = -np.inf
            out[start : start + block.size] = top_k(scores, k)
        return out


def top_k(scores: F32, k: int) -> Idx:
    """Column indices of the `k` highest finite scores per row, best first; -1 pads.

    Ties go to the lower index, so results do not depend on partition order.
    """
    n_rows, n_cols = scores.shape
    if n_cols == 0 or k <= 0:
        return np.full((n_rows, k), -1, dtype=np.int64)
    take = min(k, n_cols)
    cut = None
    if take < n_cols:
        cut = _sampled_cut(scores, take)
        if cut is None:
            cut = whole_row_cut(scores, take)
    return ranked_above(scores, k, cut)


def whole_row_cut(scores: F32, take: int) -> F32:
    """Each row's `take`-th best value, selected in the whole row."""
    cut: F32 = -np.partition(-scores, take - 1, axis=1)[:, take - 1 : take]
    return cut


def ranked_above(scores: F32, k: int, cut: F32 | None) -> Idx:
    """The `k` best finite columns of each row, ranked among those at least as good as
    the row's `cut` (all columns with None); best first, ties to the lower index, -1 pads.

    With each cut at most the row's k-th best value, this is the row's top k.
    """
    n_rows, n_cols = scores.shape
    out = np.full((n_rows, k), -1, dtype=np.int64)
    take = min(k, n_cols)
    if cut is not None:
        at_least = scores >= cut
        if int(np.count_nonzero(at_least)) > 4 * SAMPLE_STEP * take * n_rows:
            at_least = _cap_ties(scores, cut, take)
        # flatnonzero: 2-D nonzero is several times slower on wide rows.
        cand_rows, cand_cols = np.divmod(np.flatnonzero(at_least), n_cols)
    else:
        cand_rows, cand_cols = np.indices(scores.shape).reshape(2, -1)
    values = scores[cand_rows, cand_cols]
    order = np.lexsort((cand_cols, -values, cand_rows))
    cand_rows, cand_cols, values = cand_rows[order], cand_cols[order], values[order]
    starts = np.searchsorted(cand_rows, np.arange(n_rows))
    rank = np.arange(cand_rows.size) - starts[cand_rows]
    keep = (rank < take) & np.isfinite(values)
    out[cand_rows[keep], rank[keep]] = cand_cols[keep]
    return out


# Wide rows take their cut from a sample of every SAMPLE_STEP-th column.
SAMPLE_STEP = 8


def _sampled_cut(scores: F32, take: int) -> F32 | None:
    """Each row's `take`-th best over a sample of its columns (None: rows too short).

    A sample's `take`-th best is at most the row's, so it is a cut that keeps
    the row's top `take`, typically with ~SAMPLE_STEP times as many columns.
    Selecting in an eighth of each row instead of all of it is most of what a
    top-k of wide rows costs: 2.3-2.5x faster at 173,000 columns, 1.3x on rows
    tied at the cut (`bench/topk.py`).
    """
    sample = scores[:, ::SAMPLE_STEP]
    if sample.shape[1] <= take:
        return None
    # Negated, the cut is near the front: numpy's selection is several times
    # faster there on tie-heavy rows (most items score 0 under item-item models).
    cut: F32 = -np.partition(-sample, take - 1, axis=1)[:, take - 1 : take]
    return cut


def _cap_ties(scores: F32, cut: F32, take: int) -> npt.NDArray[np.bool_]:
    """Columns better than `cut`, plus the lowest-index ties at it: `take` per row in
    all where the better ones are fewer. With `cut` at most the row's `take`-th
    best value, this still holds the row's top `take` (ties to the lower index)."""
    better = scores > cut
    ties = scores == cut
    room = take - better.sum(axis=1, keepdims=True)
    ties &= np.cumsum(ties, axis=1) <= room
    mask: npt.NDArray[np.bool_] = better | ties
    return mask
