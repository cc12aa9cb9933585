"""Train/test splits in the index space models are fitted on.

A split always ends with a train `Interactions` holding only train users and
train items, and the test set as a binary user x item matrix over those same
indices. Test items the train set never saw cannot be recommended, but stay
in each user's count of test items (`test_sizes`), so recall is not inflated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from echotune.errors import InvalidInput
from echotune.recommend.cf.interactions import Interactions

I64 = npt.NDArray[np.int64]
# A user needs this many distinct items to lend some to the test set.
MIN_USER_ITEMS = 5


@dataclass(frozen=True)
class EvalSplit:
    train: Interactions
    test: sp.csr_matrix
    """Binary (train users x train items): test items the train set knows."""
    test_sizes: I64
    """Per train user: distinct test items, including those unknown to train."""
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def users(self) -> I64:
        """Train indices of the users with a test set, the ones metrics average over."""
        return np.flatnonzero(self.test_sizes > 0).astype(np.int64)


def holdout_split(
    data: Interactions,
    test_fraction: float = 0.2,
    seed: int = 42,
    min_user_items: int = MIN_USER_ITEMS,
) -> EvalSplit:
    """Hold out a seeded random `test_fraction` of each user's distinct items.

    Each eligible user lends round(fraction x n) items, at least 1 and at most
    n - 1. Users with fewer than `min_user_items` items stay in train only.

    Each entry gets a random key (one stream, in the matrix's order); a
    user's `n_test` lowest keys go to test. Users are ranked a block at a
    time, so the working memory is a block's, not the whole matrix's: done
    on all 47 M entries at once it took 5.1 GB above its input, against
    1.4 GB now (`bench/split_memory.py`).
    """
    if not 0.0 < test_fraction < 1.0:
        raise InvalidInput(f"test fraction must be between 0 and 1, got {test_fraction}")
    matrix = data.matrix
    lengths = np.diff(matrix.indptr)
    n_test = np.clip(np.rint(lengths * test_fraction), 1, np.maximum(lengths - 1, 1))
    n_test[lengths < max(min_user_items, 2)] = 0
    n_test = n_test.astype(np.int64)
    is_test = np.zeros(matrix.nnz, dtype=bool)
    rng = np.random.default_rng(seed)
    for first, last in _row_blocks(matrix.indptr, _BLOCK_ENTRIES):
        start, end = int(matrix.indptr[first]), int(matrix.indptr[last])
        keys = rng.random(end - start)
        rows = np.repeat(np.arange(last - first), lengths[first:last])
        order = np.lexsort((keys, rows))
        sorted_rows = rows[order]
        rank = np.arange(end - start) - (matrix.indptr[first:last][sorted_rows] - start)
        is_test[start + order] = rank < n_test[first:last][sorted_rows]
    train = _select(matrix, ~is_test, lengths - n_test)
    test = _select(matrix, is_test, n_test)
    del is_test
    split = align(
        Interactions(data.user_ids, data.item_ids, train), data.user_ids, data.item_ids, test
    )
    stats = {**split.stats, "users_too_few_items": int(np.sum((lengths > 0) & (n_test == 0)))}
    stats["min_user_items"] = min_user_items
    return EvalSplit(split.train, split.test, split.test_sizes, stats)


# Entries ranked at once by `holdout_split`: ~60 MB of working arrays.
_BLOCK_ENTRIES = 1 << 21


def _row_blocks(indptr: npt.NDArray[np.integer], entries: int) -> list[tuple[int, int]]:
    """Consecutive row ranges [first, last) covering every row, each of about
    `entries` entries (a longer row is a range of its own)."""
    n_rows = indptr.size - 1
    bounds = [0]
    while bounds[-1] < n_rows:
        first = bounds[-1]
        limit = int(indptr[first]) + entries
        last = int(np.searchsorted(indptr, limit, side="right")) - 1
        bounds.append(min(max(last, first + 1), n_rows))
    return list(pairwise(bounds))


def _select(
    matrix: sp.csr_matrix, mask: npt.NDArray[np.bool_], counts: npt.NDArray[np.int64]
) -> sp.csr_matrix:
    """The entries of `mask`, `counts[u]` of them in row u, as a CSR of the same
    shape: a subsequence of a canonical matrix's entries is canonical too."""
    indptr = np.zeros(matrix.shape[0] + 1, dtype=matrix.indptr.dtype)
    np.cumsum(counts, out=indptr[1:])
    return sp.csr_matrix(
        (matrix.data[mask].astype(np.float32, copy=False), matrix.indices[mask], indptr),
        shape=matrix.shape,
    )


def align(
    train: Interactions,
    test_users: tuple[str, ...],
    test_items: tuple[str, ...],
    test_matrix: sp.csr_matrix,
) -> EvalSplit:
    """Put a test matrix (with its own ids) into the train set's index space.

    Train users and items with no train interaction are dropped first. Test
    pairs the user already has in train are dropped (and counted): with seen
    items excluded they could never be hit.
    """
    train = compact(train)
    user_map = np.array([_index(train.user_index(u)) for u in test_users], dtype=np.int64)
    item_map = np.array([_index(train.item_index(t)) for t in test_items], dtype=np.int64)
    coo = test_matrix.tocoo()
    coo_users, coo_items = user_map[coo.row], item_map[coo.col]
    known_user = coo_users >= 0
    known_item = coo_items >= 0
    seen = known_user & known_item
    seen[seen] = _in_train(train, coo_users[seen], coo_items[seen])
    keep = known_user & ~seen
    test_sizes = np.bincount(coo_users[keep], minlength=train.n_users).astype(np.int64)
    hit = keep & known_item
    test = sp.csr_matrix(
        (np.ones(int(hit.sum()), dtype=np.float32), (coo_users[hit], coo_items[hit])),
        shape=(train.n_users, train.n_items),
    )
    test.sort_indices()
    unknown_item = keep & ~known_item
    test_user_rows = np.unique(coo.row)
    stats = {
        "users_train": train.n_users,
        "items_train": train.n_items,
        "users_test": int(test_user_rows.size),
        "users_evaluated": int(np.count_nonzero(test_sizes)),
        "users_skipped_not_in_train": int(np.count_nonzero(user_map[test_user_rows] < 0)),
        "test_interactions": int(keep.sum()),
        "test_interactions_item_not_in_train": int(unknown_item.sum()),
        "test_items_not_in_train": int(np.unique(coo.col[unknown_item]).size),
        "test_pairs_already_in_train": int(seen.sum()),
    }
    return EvalSplit(train, test, test_sizes, stats)


def _in_train(train: Interactions, users: I64, items: I64) -> npt.NDArray[np.bool_]:
    """Whether each (user, item) pair has a train interaction: a binary search in
    the user's sorted row per pair (train weights are never explicit zeros)."""
    if users.size == 0:
        return np.zeros(0, dtype=bool)
    found: npt.NDArray[np.bool_] = np.asarray(train.matrix[users, items]).ravel() != 0
    return found


def seeded_subset(n: int, k: int, seed: int) -> I64:
    """Ascending indices of a seeded random `k` of `n` positions (all of them when n <= k)."""
    if n <= k:
        return np.arange(n, dtype=np.int64)
    return np.sort(np.random.default_rng(seed).choice(n, k, replace=False)).astype(np.int64)


def sample_evaluated(split: EvalSplit, n_users: int, seed: int = 42) -> EvalSplit:
    """`split` with metrics over a seeded random `n_users` of its evaluated users
    (the rest keep their train rows but no test items); `split` itself when it
    has no more than that. `stats` counts both."""
    if n_users < 1:
        raise InvalidInput(f"an evaluation sample needs at least 1 user, got {n_users}")
    users = split.users
    if users.size <= n_users:
        return split
    chosen = users[seeded_subset(users.size, n_users, seed)]
    keep = np.zeros(split.test_sizes.size, dtype=bool)
    keep[chosen] = True
    test_sizes = np.where(keep, split.test_sizes, 0).astype(np.int64)
    test = sp.csr_matrix(sp.diags(keep.astype(np.float32)) @ split.test)
    test.eliminate_zeros()
    test.sort_indices()
    stats = {
        **split.stats,
        "users_evaluated": n_users,
        "users_with_test_items": int(users.size),
    }
    return EvalSplit(split.train, test, test_sizes, stats)


def sample_users(data: Interactions, n_users: int, seed: int = 42) -> Interactions:
    """A seeded random `n_users` of `data`'s users with all their interactions, in
    their original order (items nobody in the sample played are dropped); all of
    `data` when it has no more users than that."""
    if n_users < 1:
        raise InvalidInput(f"a user sample needs at least 1 user, got {n_users}")
    if data.n_users <= n_users:
        return data
    chosen = seeded_subset(data.n_users, n_users, seed)
    matrix = data.matrix[chosen].tocsr()
    return compact(Interactions(tuple(data.user_ids[u] for u in chosen), data.item_ids, matrix))


def compact(data: Interactions) -> Interactions:
    """Drop users and items with no interaction, keeping order.

    Nothing is dropped but empty rows and columns, so the entries stay as
    they are and only the column numbers change: no copy through scipy's
    fancy indexing, which at 38 M entries cost several times the matrix.
    """
    matrix = data.matrix
    users = np.flatnonzero(np.diff(matrix.indptr) > 0)
    items = np.flatnonzero(np.bincount(matrix.indices, minlength=data.n_items) > 0)
    if users.size == data.n_users and items.size == data.n_items:
        return data
    indptr = np.concatenate(([0], matrix.indptr[users + 1])).astype(matrix.indptr.dtype)
    renumber = np.full(data.n_items, -1, dtype=matrix.indices.dtype)
    renumber[items] = np.arange(items.size, dtype=matrix.indices.dtype)
    compacted = sp.csr_matrix(
        (matrix.data.copy(), renumber[matrix.indices], indptr), shape=(users.size, items.size)
    )
    return Interactions(
        tuple(data.user_ids[u] for u in users),
        tuple(data.item_ids[i] for i in items),
        compacted,
    )


def _index(value: int | None) -> int:
    return -1 if value is None else value
