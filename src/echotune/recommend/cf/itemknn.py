"""`itemknn`: cosine item-item nearest neighbours with shrinkage (sparse)."""

from __future__ import annotations

import scipy.sparse as sp

from echotune.recommend.cf import neighbour_parts
from echotune.recommend.cf.item_based import ItemBasedModel
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
        return neighbour_parts.cosine(x, self.neighbours, self.shrink)
