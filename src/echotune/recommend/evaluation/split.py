"""Train/test splits in the index space models are fitted on.

A split always ends with a train `Interactions` holding only train users and
train items, and the test set as a binary user x item matrix over those same
indices. Test items the train set never saw cannot be recommended, but stay
in each user's count of test items (`test_sizes`), so recall is not inflated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    """
    if not 0.0 < test_fraction < 1.0:
        raise InvalidInput(f"test fraction must be between 0 and 1, got {test_fraction}")
    matrix = data.matrix
    lengths = np.diff(matrix.indptr)
    n_test = np.clip(np.rint(lengths * test_fraction), 1, np.maximum(lengths - 1, 1))
    n_test[lengths < max(min_user_items, 2)] = 0
    rows = np.repeat(np.arange(data.n_users), lengths)
    # A random key per entry, sorted within each row: the first n_test go to test.
    keys = np.random.default_rng(seed).random(matrix.nnz)
    order = np.lexsort((keys, rows))
    rank = np.empty(matrix.nnz, dtype=np.int64)
    rank[order] = np.arange(matrix.nnz) - matrix.indptr[rows[order]]
    is_test = rank < n_test[rows]
    train = _select(matrix, ~is_test)
    test = _select(matrix, is_test)
    split = align(
        Interactions(data.user_ids, data.item_ids, train), data.user_ids, data.item_ids, test
    )
    stats = {**split.stats, "users_too_few_items": int(np.sum((lengths > 0) & (n_test == 0)))}
    stats["min_user_items"] = min_user_items
    return EvalSplit(split.train, split.test, split.test_sizes, stats)


def _select(matrix: sp.csr_matrix, mask: npt.NDArray[np.bool_]) -> sp.csr_matrix:
    coo = matrix.tocoo()
    out = sp.csr_matrix(
        (coo.data[mask], (coo.row[mask], coo.col[mask])), shape=matrix.shape, dtype=np.float32
    )
    out.sort_indices()
    return out


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
    """Whether each (user, item) pair has a train interaction."""
    rows = np.repeat(np.arange(train.n_users, dtype=np.int64), np.diff(train.matrix.indptr))
    found: npt.NDArray[np.bool_] = np.isin(
        users * train.n_items + items, rows * train.n_items + train.matrix.indices
    )
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
    """Drop users and items with no interaction, keeping order."""
    users = np.flatnonzero(np.diff(data.matrix.indptr) > 0)
    items = np.flatnonzero(np.bincount(data.matrix.indices, minlength=data.n_items) > 0)
    if users.size == data.n_users and items.size == data.n_items:
        return data
    matrix = data.matrix[users][:, items].tocsr()
    return Interactions(
        tuple(data.user_ids[u] for u in users), tuple(data.item_ids[i] for i in items), matrix
    )


def _index(value: int | None) -> int:
    return -1 if value is None else value
