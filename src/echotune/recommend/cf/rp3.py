"""RP3beta (Paudel et al. 2016): item-item weights from a three-step random walk.

W[j, i] = Σ_u P(u | j)^α P(i | u)^α / deg(i)^β, the chance that a walk from
item j through one of its listeners lands on item i, with popular targets
discounted. P(u | j) spreads item j over its listeners and P(i | u) a
listener over their items, both in proportion to the (re-weighted) plays.
On implicit and music data it often ranks better than cosine neighbours and
is competitive with EASE and ALS (Dacrema et al. 2019, Anelli et al. 2022),
and it needs no matrix inverse, so it covers the whole catalog. `β` is what
keeps hit songs from being everyone's neighbour; `α` < 1 flattens the
transition probabilities (a sharper walk overweights one-item users).
Built a block of source items at a time and cut to each item's `k` best
targets before the next block, like `similarity.cosine_neighbours`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from echotune.recommend.cf.similarity import BLOCK_NNZ, item_blocks, map_blocks, top_k_per_row

F32 = npt.NDArray[np.float32]


def rp3_neighbours(
    x: sp.csr_matrix, k: int, alpha: float, beta: float, block_nnz: int = BLOCK_NNZ
) -> sp.csr_matrix:
    """Item x item weights W, row j keeping the `k` best targets i of a walk from j.

    `x` is users x items (re-weighted plays). Scoring a user is then `x_u @ W`.
    """
    n_items = x.shape[1]
    user_to_item = _row_stochastic(x, alpha)
    item_to_user = _row_stochastic(x.T.tocsr(), alpha)
    discount = _popularity_discount(x, beta)

    def build(start: int, stop: int) -> sp.csr_matrix:
        block = (item_to_user[start:stop] @ user_to_item).tocsr()
        rows = np.repeat(np.arange(stop - start), np.diff(block.indptr))
        block.data = (block.data * discount[block.indices]).astype(np.float32)
        block.data[block.indices == rows + start] = 0.0
        block.eliminate_zeros()
        return top_k_per_row(block, k)

    parts = map_blocks(build, item_blocks(x, block_nnz))
    if not parts:
        return sp.csr_matrix((n_items, n_items), dtype=np.float32)
    walks: sp.csr_matrix = sp.vstack(parts, format="csr")
    # The blocks come unsorted from the product; sort the kept k per row only.
    walks.sort_indices()
    return walks


def cut_walks(walks: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """`rp3_neighbours(x, k, ...)` from `walks = rp3_neighbours(x, K, ...)`, K >= k.

    Each row keeps its `k` best targets by the build's rule; a new matrix.
    """
    return top_k_per_row(walks, k)


def _row_stochastic(matrix: sp.csr_matrix, alpha: float) -> sp.csr_matrix:
    """Each row divided by its sum, then raised to `alpha` (rows of zeros stay zero)."""
    out = sp.csr_matrix(matrix, dtype=np.float32, copy=True)
    sums = np.asarray(out.sum(axis=1)).ravel()
    out.data /= np.repeat(np.where(sums > 0, sums, 1.0), np.diff(out.indptr)).astype(np.float32)
    if alpha != 1.0:
        np.power(out.data, np.float32(alpha), out=out.data)
    return out


def _popularity_discount(x: sp.csr_matrix, beta: float) -> F32:
    """1 / (distinct listeners)^β per item; 0 for items nobody played."""
    listeners = np.bincount(x.indices, minlength=x.shape[1]).astype(np.float64)
    discount = np.zeros(listeners.size, dtype=np.float32)
    played = listeners > 0
    discount[played] = listeners[played] ** -beta
    return discount
