"""`echotune`: the production model, a blend of EASE and item kNN in one sparse matrix.

W = a · E / scale(E) + (1 - a) · S / scale(S), score(u) = x_u W + p · prior.
- E is EASE (Steck 2019) on the `max_items` most played items, pruned to the
  `ease_neighbours` largest |weights| per target item: EASE ranks best where
  data is dense, and the pruning keeps scoring a sparse product.
- S is shrunk-cosine item kNN over the whole catalog: it reaches the long
  tail that EASE leaves out, and smooths EASE where support is thin.
- scale(.) is the median over users of their top score, so `a` means the same
  whatever the catalog's size or density.
- prior is popularity by rank: it orders items no played item points to.
Every term of x_u W is one played item's contribution, which is what
`explain` reports ("because you played j"). Defaults were chosen by
`echotune eval` (docs/evaluation.md); `eval` tunes them again per dataset.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from echotune.recommend.cf.ease import DEFAULT_MAX_ITEMS, ease_items
from echotune.recommend.cf.ease_solver import pruned, solve
from echotune.recommend.cf.item_based import ItemBasedModel
from echotune.recommend.cf.similarity import cosine_neighbours
from echotune.recommend.cf.weighting import Weighting

# Users sampled to measure each part's typical score size.
SCALE_SAMPLE = 2_000


class EchoTuneModel(ItemBasedModel):
    name = "echotune"

    def __init__(
        self,
        ease_weight: float = 0.5,
        lam: float = 100.0,
        max_items: int = DEFAULT_MAX_ITEMS,
        ease_neighbours: int = 200,
        neighbours: int = 100,
        shrink: float = 10.0,
        prior_weight: float = 0.01,
        weighting: Weighting = "log",
    ) -> None:
        super().__init__(weighting=weighting, prior_weight=prior_weight)
        self.ease_weight = ease_weight
        self.lam = lam
        self.max_items = max_items
        self.ease_neighbours = ease_neighbours
        self.neighbours = neighbours
        self.shrink = shrink

    def _build(self, x: sp.csr_matrix) -> sp.csr_matrix:
        parts: list[sp.csr_matrix] = []
        if self.ease_weight > 0:
            parts.append(self.ease_weight * _scaled(x, self._ease(x)))
        if self.ease_weight < 1:
            knn = cosine_neighbours(x, self.neighbours, self.shrink)
            parts.append((1.0 - self.ease_weight) * _scaled(x, knn))
        total = parts[0] if len(parts) == 1 else parts[0] + parts[1]
        out = sp.csr_matrix(total, dtype=np.float32)
        out.eliminate_zeros()
        out.sort_indices()
        return out

    def _ease(self, x: sp.csr_matrix) -> sp.csr_matrix:
        """EASE on the head items, pruned, placed in the full item x item index space."""
        head = ease_items(x, self.max_items)
        solution = solve(x[:, head].tocsr(), self.lam)
        local = pruned(solution, head.size, self.ease_neighbours).tocoo()
        del solution
        n_items = x.shape[1]
        return sp.csr_matrix(
            (local.data, (head[local.row], head[local.col])), shape=(n_items, n_items)
        )


def _scaled(x: sp.csr_matrix, weights: sp.csr_matrix) -> sp.csr_matrix:
    """`weights` divided by the median over (a sample of) users of their best score."""
    step = max(1, x.shape[0] // SCALE_SAMPLE)
    scores = (x[::step] @ weights).tocsr()
    tops = scores.max(axis=1).toarray().ravel()
    tops = tops[tops > 0]
    scale = float(np.median(tops)) if tops.size else 1.0
    return sp.csr_matrix(weights / np.float32(scale if scale > 0 else 1.0), dtype=np.float32)
