"""`itemknn`: cosine item-item nearest neighbours with shrinkage (sparse)."""

from __future__ import annotations

import scipy.sparse as sp

from echotune.recommend.cf import memo
from echotune.recommend.cf.item_based import ItemBasedModel
from echotune.recommend.cf.similarity import cosine_lists, cosine_neighbours, cut_lists
from echotune.recommend.cf.weighting import Weighting


class ItemKNN(ItemBasedModel):
    """score(u, i) = sum over played j among i's `neighbours` nearest of x_uj cos(i, j)."""

    name = "itemknn"

    def __init__(
        self, neighbours: int = 100, shrink: float = 10.0, weighting: Weighting = "binary"
    ) -> None:
        super().__init__(weighting=weighting)
        self.neighbours = neighbours
        self.shrink = shrink

    def _build(self, x: sp.csr_matrix) -> sp.csr_matrix:
        # While tuning, smaller neighbour counts are cut from the largest built.
        data = memo.fingerprint(x) if memo.active() else ""
        return memo.reuse_nested(
            "neighbours",
            (data, "cosine", self.shrink),
            self.neighbours,
            build=lambda k: cosine_neighbours(x, k, self.shrink),
            keep=lambda k: cosine_lists(x, k, self.shrink),
            cut=cut_lists,
        )
