"""`echotune`: the production model, a blend of EASE and item neighbours in one sparse matrix.

W = a · E / scale(E) + (1 - a) · S / scale(S), score(u) = x_u W + p · prior.
- E is EASE (Steck 2019) on the items `ease` covers (all of them in the dual
  form, else the `max_items` most played), pruned to the `ease_neighbours`
  largest |weights| per target item: EASE ranks best where data is dense, and
  the pruning keeps scoring a sparse product. With `ease_dropout` q > 0 it is
  DLAE (Steck 2020) instead: EASE's ridge penalty plus q times each item's
  own Gram diagonal, the closed form of training under dropout (`ease_solver`).
- S is item neighbours over the whole catalog: it reaches the long tail that
  EASE leaves out, and smooths EASE where support is thin. By default RP3beta
  random-walk weights (`rp3.py`): alone, they ranked better than shrunk
  cosine on all four of our evaluation datasets, and in the blend they were
  better or equal. `similarity="cosine"` gives the `itemknn` weights, so
  a = 0 is plain item kNN and tuning can fall back to it.
- scale(.) is the median over users of their top score, so `a` means the same
  whatever the catalog's size or density.
- Where E covers only the head, W's columns for the other items are
  multiplied by `tail_weight` t (`_scale_tail`): they get no E share, and t
  lets tuning give the long tail back its weight (1: the plain blend).
- prior is popularity by rank: it orders items no played item points to.
- Each row of W (what one played item passes on) keeps its `max_fanout`
  largest |weights|, and a user is scored from their `max_history` heaviest
  items: hit songs are neighbours of almost everything, and without both caps
  one heavy listener's score would sum millions of terms (the 30 ms budget).
- With `als_weight` > 0, an ALS term re-scores each user's best `candidates`
  items (`latent.py`): a low-rank view of the whole taste, which errs
  differently from item-item weights.
Every term of x_u W is one played item's contribution, which is what
`explain` reports ("because you played j"); the ALS term is not itemised.
Defaults are the values `echotune eval` chose most often across our datasets
(docs/evaluation.md); `eval` tunes them again per dataset.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import numpy as np
import scipy.sparse as sp

from echotune.recommend.cf import memo, neighbour_parts
from echotune.recommend.cf.als import AlsWeighting, als_threads
from echotune.recommend.cf.base import F32, Idx
from echotune.recommend.cf.ease import DEFAULT_MAX_ITEMS, ease_items
from echotune.recommend.cf.ease_solver import pruned, solve
from echotune.recommend.cf.item_based import ItemBasedModel
from echotune.recommend.cf.latent import LatentRerank
from echotune.recommend.cf.similarity import block_workers, top_k_per_row
from echotune.recommend.cf.weighting import Weighting

Similarity = Literal["rp3", "cosine"]

# Users sampled to measure each part's typical score size.
SCALE_SAMPLE = 500


@contextmanager
def training_threads(threads: int) -> Iterator[None]:
    """Inside the block, fits run on `threads` threads where they can: the
    item-neighbour blocks (`similarity.block_workers`) and the ALS term
    (`als.als_threads`). The model is the same for any count."""
    with block_workers(threads), als_threads(threads):
        yield


class EchoTuneModel(ItemBasedModel):
    name = "echotune"

    def __init__(
        self,
        ease_weight: float = 0.25,
        lam: float = 250.0,
        ease_dropout: float = 0.0,
        max_items: int = DEFAULT_MAX_ITEMS,
        ease_neighbours: int = 500,
        neighbours: int = 100,
        similarity: Similarity = "rp3",
        shrink: float = 10.0,
        rp3_alpha: float = 0.75,
        rp3_beta: float = 0.35,
        prior_weight: float = 0.1,
        weighting: Weighting = "log",
        max_fanout: int = 1_000,
        max_history: int = 1_000,
        als_weight: float = 0.6,
        als_factors: int = 32,
        als_regularization: float = 10.0,
        als_alpha: float = 1.0,
        als_weighting: AlsWeighting = "bm25",
        candidates: int = 300,
        seed: int = 42,
        tail_weight: float = 1.0,
    ) -> None:
        super().__init__(weighting=weighting, prior_weight=prior_weight)
        self.ease_weight = ease_weight
        self.tail_weight = tail_weight
        self.lam = lam
        self.ease_dropout = ease_dropout
        self.max_items = max_items
        self.ease_neighbours = ease_neighbours
        self.neighbours = neighbours
        self.similarity: Similarity = similarity
        self.shrink = shrink
        self.rp3_alpha = rp3_alpha
        self.rp3_beta = rp3_beta
        self.max_fanout = max_fanout
        self.max_history = max_history
        self.als_weight = als_weight
        self._latent = (
            LatentRerank(
                als_weight,
                als_factors,
                als_regularization,
                candidates,
                seed,
                alpha=als_alpha,
                weighting=als_weighting,
            )
            if als_weight > 0
            else None
        )

    @property
    def latent(self) -> LatentRerank | None:
        """The ALS shortlist term (None when `als_weight` is 0); not part of `weights`."""
        return self._latent

    def _fit(self, matrix: sp.csr_matrix) -> None:
        super()._fit(matrix)
        if self._latent is not None:
            self._latent.fit(matrix)

    def _user_rows(self, users: Idx) -> sp.csr_matrix:
        # A listener's `max_history` heaviest items stand for them: past a
        # thousand items more history changes little but costs linearly.
        return top_k_per_row(super()._user_rows(users), self.max_history)

    def _scores(self, users: Idx) -> F32:
        scores = super()._scores(users)
        if self._latent is not None:
            self._latent.apply(scores, users, self.train[users])
        return scores

    def _build(self, x: sp.csr_matrix) -> sp.csr_matrix:
        # Parts are scaled in place and summed once: at a million items each
        # copy of the kNN matrix is ~0.7 GB, so copies decide peak memory.
        # While tuning, parts built from the same matrix with the same
        # parameters are reused (copies: scaling works in place) with their
        # typical size, and smaller neighbour counts are cut from the largest built.
        data = memo.fingerprint(x) if memo.active() else ""
        total: sp.csr_matrix | None = None
        if self.ease_weight > 0:
            ease_key = (data, self.lam, self.ease_dropout, self.max_items, self.ease_neighbours)
            ease = memo.reuse("ease", ease_key, lambda: self._ease(x), _copy)
            size = memo.reuse("ease-size", ease_key, lambda: _typical_top(x, ease), _same)
            total = _scale_in_place(ease, self.ease_weight / size)
        if self.ease_weight < 1:
            shape = (
                (self.shrink,) if self.similarity == "cosine" else (self.rp3_alpha, self.rp3_beta)
            )
            part = self._neighbours(x)
            size_key = (data, self.similarity, *shape, self.neighbours)
            size = memo.reuse("neighbours-size", size_key, lambda: _typical_top(x, part), _same)
            knn = _scale_in_place(part, (1.0 - self.ease_weight) / size)
            total = knn if total is None else sp.csr_matrix(total + knn)
            del knn
        assert total is not None
        if 0 < self.ease_weight < 1 and self.tail_weight != 1:
            _scale_tail(total, x, self.max_items, self.tail_weight)
        total.eliminate_zeros()
        return top_k_per_row(total, self.max_fanout, by_magnitude=True)

    def _neighbours(self, x: sp.csr_matrix) -> sp.csr_matrix:
        if self.similarity == "cosine":
            return neighbour_parts.cosine(x, self.neighbours, self.shrink)
        return neighbour_parts.rp3(x, self.neighbours, self.rp3_alpha, self.rp3_beta)

    def _ease(self, x: sp.csr_matrix) -> sp.csr_matrix:
        """EASE (or DLAE) on the head items, pruned, placed in the full item x item index space."""
        head = ease_items(x, self.max_items)
        solution = solve(x[:, head].tocsr(), self.lam, self.ease_dropout)
        local = pruned(solution, head.size, self.ease_neighbours).tocoo()
        del solution
        n_items = x.shape[1]
        return sp.csr_matrix(
            (local.data, (head[local.row], head[local.col])), shape=(n_items, n_items)
        )


def _copy(matrix: sp.csr_matrix) -> sp.csr_matrix:
    return matrix.copy()


def _same(value: float) -> float:
    return value


def _typical_top(x: sp.csr_matrix, weights: sp.csr_matrix) -> float:
    """The median over sampled users of their best score under `weights` (1 if none is > 0).

    A part's typical size, which its blend weight is divided by. While
    tuning it is kept with the part: it depends only on the part and the
    data, and measuring it scores every sampled user (a second of each
    trial on a Last.fm-1K-sized fold).
    """
    sample = x[:: max(1, x.shape[0] // SCALE_SAMPLE)]
    tops = (sample @ weights).max(axis=1).toarray().ravel()
    tops = tops[tops > 0]
    scale = float(np.median(tops)) if tops.size else 1.0
    return scale if scale > 0 else 1.0


def tail_items(x: sp.csr_matrix, max_items: int) -> Idx:
    """Played items the EASE part leaves out (none when it covers every one: `ease_items`)."""
    played = np.flatnonzero(np.bincount(x.indices, minlength=x.shape[1]))
    return np.setdiff1d(played, ease_items(x, max_items), assume_unique=True)


def _scale_tail(total: sp.csr_matrix, x: sp.csr_matrix, max_items: int, factor: float) -> None:
    """Weights into items outside EASE's head times `factor`, in place.

    Past `max_items` (primal form) EASE covers the most played items only, so
    an item outside them is reached by the neighbour part alone, at its share
    (1 - a) of the blend, while head items get both parts: the tail ranks low
    whatever its neighbours say. On the playlists with EASE cut to 2,000 of
    28,356 items, test NDCG@10 was 0.0252 at factor 1 and 0.0278 at 3 (every
    item covered: 0.0259); on the sessions cut to 100 of 843, 0.1156 and
    0.0997. So it is tuned (`tail_weight`), not fixed.
    """
    tail = tail_items(x, max_items)
    if tail.size:
        scale = np.ones(x.shape[1], dtype=np.float32)
        scale[tail] = np.float32(factor)
        total.data *= scale[total.indices]


def _scale_in_place(weights: sp.csr_matrix, factor: float) -> sp.csr_matrix:
    """`weights` times `factor`, in place."""
    weights.data *= np.float32(factor)
    return weights
