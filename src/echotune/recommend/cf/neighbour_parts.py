"""Item neighbour matrices for the item-based models, shared and cut while tuning.

Item kNN and `echotune` ask here for their neighbours. Outside tuning each
call builds. Inside `memo.reusing_parts()` both models share one build per
(data, similarity, shape), and smaller neighbour counts are cut from the
largest built (`memo.reuse_nested`): an item's k nearest are the first k of
its K nearest, ties going to the lowest item index in a build and a cut.
"""

from __future__ import annotations

import scipy.sparse as sp

from echotune.recommend.cf import memo
from echotune.recommend.cf.rp3 import cut_walks, rp3_neighbours
from echotune.recommend.cf.similarity import cosine_lists, cosine_neighbours, cut_lists


def cosine(x: sp.csr_matrix, k: int, shrink: float) -> sp.csr_matrix:
    """`cosine_neighbours(x, k, shrink)`, cut from a larger build while tuning."""
    return memo.reuse_nested(
        "neighbours",
        (_data(x), "cosine", shrink),
        k,
        build=lambda n: cosine_neighbours(x, n, shrink),
        keep=lambda n: cosine_lists(x, n, shrink),  # each item's list: one transpose per cut
        cut=cut_lists,
    )


def rp3(x: sp.csr_matrix, k: int, alpha: float, beta: float) -> sp.csr_matrix:
    """`rp3_neighbours(x, k, alpha, beta)`, cut from a larger build while tuning."""
    return memo.reuse_nested(
        "neighbours",
        (_data(x), "rp3", alpha, beta),
        k,
        build=lambda n: rp3_neighbours(x, n, alpha, beta),
        keep=lambda n: rp3_neighbours(x, n, alpha, beta),
        cut=cut_walks,
    )


def _data(x: sp.csr_matrix) -> str:
    return memo.fingerprint(x) if memo.active() else ""
