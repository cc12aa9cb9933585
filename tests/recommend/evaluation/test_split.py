"""Per-user hold-out splits and train/test alignment."""

from __future__ import annotations

import numpy as np
import pytest

from echotune.errors import InvalidInput
from echotune.recommend.cf.interactions import Interactions
from echotune.recommend.evaluation.split import (
    EvalSplit,
    align,
    holdout_split,
    sample_evaluated,
    sample_users,
)


def users_with(lengths: list[int]) -> Interactions:
    triples = [
        (f"u{u}", f"t{(u * 7 + i) % 50}", 1.0 + i % 2)
        for u, n in enumerate(lengths)
        for i in range(n)
    ]
    return Interactions.from_triples(triples)


def pairs(data: Interactions, rows: np.ndarray, cols: np.ndarray) -> set[tuple[str, str]]:
    return {(data.user_ids[r], data.item_ids[c]) for r, c in zip(rows, cols, strict=True)}


def test_holdout_takes_a_fraction_of_each_user_and_loses_nothing() -> None:
    data = users_with([10, 20, 5, 4, 1, 30])
    split = holdout_split(data, 0.2, seed=1)
    train_pairs = pairs(split.train, *split.train.matrix.nonzero())
    test_pairs = pairs(split.train, *split.test.nonzero())
    assert not train_pairs & test_pairs
    all_pairs = {(u, t) for u, t, _ in data.triples()}
    assert train_pairs | test_pairs <= all_pairs
    # Test pairs whose item left train entirely are only counted, in test_sizes.
    assert len(train_pairs) + split.test_sizes.sum() == data.nnz
    assert split.test_sizes.tolist() == [2, 4, 1, 0, 0, 6]
    assert split.stats["users_too_few_items"] == 2
    assert split.stats["users_evaluated"] == 4 and split.users.tolist() == [0, 1, 2, 5]
    # Weights travel with the train pairs.
    assert split.train.matrix.sum() + 0 <= data.matrix.sum()


def test_holdout_is_seeded() -> None:
    data = users_with([12] * 20)
    a, b = holdout_split(data, 0.25, seed=3), holdout_split(data, 0.25, seed=3)
    c = holdout_split(data, 0.25, seed=4)

    def held_out(split: EvalSplit) -> set[tuple[str, str]]:
        return pairs(split.train, *split.test.nonzero())

    assert held_out(a) == held_out(b) and held_out(a) != held_out(c)


def test_items_only_in_test_are_counted_and_kept_in_the_denominator() -> None:
    # "solo" is played by one user only: if it lands in test, train cannot know it.
    triples = [("u0", f"t{i}", 1.0) for i in range(5)] + [("u0", "solo", 1.0)]
    triples += [("u1", f"t{i}", 1.0) for i in range(5)]
    data = Interactions.from_triples(triples)
    for seed in range(40):
        split = holdout_split(data, 0.2, seed=seed, min_user_items=5)
        if split.train.item_index("solo") is None:
            break
    else:
        pytest.fail("no seed put the solo item in test")
    assert split.stats["test_items_not_in_train"] == 1
    u0 = split.train.user_index("u0")
    assert u0 is not None
    assert split.test_sizes[u0] == 1 and split.test[u0].nnz == 0


def test_align_skips_unknown_users_and_drops_pairs_seen_in_train() -> None:
    train = Interactions.from_triples([("ann", "a", 1.0), ("ann", "b", 1.0), ("bob", "a", 1.0)])
    test = Interactions.from_triples(
        [
            ("ann", "b", 1.0),
            ("ann", "c", 1.0),
            ("ann", "new", 1.0),
            ("eve", "a", 1.0),
            ("bob", "b", 1.0),
        ]
    )
    split = align(train, test.user_ids, test.item_ids, test.matrix)
    assert split.stats["users_test"] == 3
    assert split.stats["users_skipped_not_in_train"] == 1
    assert split.stats["test_pairs_already_in_train"] == 1
    assert split.stats["test_items_not_in_train"] == 2  # c and new
    ann, bob = split.train.user_index("ann"), split.train.user_index("bob")
    assert ann is not None and bob is not None
    assert split.test_sizes[ann] == 2 and split.test[ann].nnz == 0
    assert split.test_sizes[bob] == 1 and split.test[bob].indices.tolist() == [1]


def test_bad_fraction_is_refused() -> None:
    with pytest.raises(InvalidInput):
        holdout_split(users_with([5]), 1.5)


def test_a_user_sample_keeps_whole_users_and_is_seeded() -> None:
    data = users_with([3 + u % 7 for u in range(40)])
    sample = sample_users(data, 10, seed=3)
    assert sample.n_users == 10
    assert list(sample.user_ids) == sorted(sample.user_ids, key=data.user_ids.index)
    for user in sample.user_ids:
        mine = pairs(sample, *sample.matrix[sample.user_index(user)].nonzero())
        source = data.matrix[data.user_index(user)]
        assert {t for _, t in mine} == {data.item_ids[c] for c in source.indices}
        assert sample.matrix[sample.user_index(user)].sum() == pytest.approx(source.sum())
    # Items only unsampled users played are dropped.
    assert np.all(np.bincount(sample.matrix.indices, minlength=sample.n_items) > 0)
    assert sample_users(data, 10, seed=3).user_ids == sample.user_ids
    assert sample_users(data, 10, seed=4).user_ids != sample.user_ids


def test_a_sample_as_large_as_the_data_is_the_data() -> None:
    data = users_with([5, 6, 7])
    assert sample_users(data, 3) is data and sample_users(data, 100) is data
    with pytest.raises(InvalidInput, match="at least 1 user"):
        sample_users(data, 0)


def test_an_evaluation_sample_keeps_train_and_the_chosen_users_tests() -> None:
    split = holdout_split(users_with([10 + u % 9 for u in range(60)]), 0.2, seed=2)
    sample = sample_evaluated(split, 25, seed=9)
    assert sample.users.size == 25 and set(sample.users) <= set(split.users)
    assert sample.train is split.train
    for user in split.users:
        mine = sample.test[user].indices
        if user in sample.users:
            assert list(mine) == list(split.test[user].indices)
            assert sample.test_sizes[user] == split.test_sizes[user]
        else:
            assert mine.size == 0 and sample.test_sizes[user] == 0
    assert sample.stats["users_evaluated"] == 25
    assert sample.stats["users_with_test_items"] == split.users.size
    assert list(sample_evaluated(split, 25, seed=9).users) == list(sample.users)
    assert sample_evaluated(split, split.users.size, seed=9) is split
    with pytest.raises(InvalidInput, match="at least 1 user"):
        sample_evaluated(split, 0)


def whole_array_test_mask(data: Interactions, fraction: float, seed: int) -> np.ndarray:
    """The split's definition at once: one key per entry from one stream, in the
    matrix's order; each user's n_test lowest keys go to test."""
    matrix = data.matrix
    lengths = np.diff(matrix.indptr)
    n_test = np.clip(np.rint(lengths * fraction), 1, np.maximum(lengths - 1, 1))
    n_test[lengths < 5] = 0
    rows = np.repeat(np.arange(data.n_users), lengths)
    order = np.lexsort((np.random.default_rng(seed).random(matrix.nnz), rows))
    rank = np.empty(matrix.nnz, dtype=np.int64)
    rank[order] = np.arange(matrix.nnz) - matrix.indptr[rows[order]]
    mask: np.ndarray = rank < n_test[rows]
    return mask


@pytest.mark.parametrize("block", [1, 7, 64, 1 << 21])
def test_ranking_a_block_of_users_at_a_time_gives_the_split_of_all_at_once(
    monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    import echotune.recommend.evaluation.split as split_module

    # Rows of 0 to 40 items, so blocks of 1 and 7 entries cut inside long rows.
    lengths = [(u * 13) % 41 for u in range(120)]
    triples = [
        (f"u{u}", f"t{(u * 5 + 3 * i) % 300}", 1.0 + i % 3)
        for u, n in enumerate(lengths)
        for i in range(n)
    ]
    data = Interactions.from_triples(triples)
    monkeypatch.setattr(split_module, "_BLOCK_ENTRIES", block)
    split = holdout_split(data, 0.3, seed=11)
    mask = whole_array_test_mask(data, 0.3, seed=11)
    rows = np.repeat(np.arange(data.n_users), np.diff(data.matrix.indptr))
    expected_test = pairs(data, rows[mask], data.matrix.indices[mask])
    held = {
        (split.train.user_ids[u], split.train.item_ids[i])
        for u, i in zip(*split.test.nonzero(), strict=True)
    }
    assert held <= expected_test
    # The test pairs train cannot know are counted, not lost.
    assert int(split.test_sizes.sum()) == len(expected_test)
    expected_train = pairs(data, rows[~mask], data.matrix.indices[~mask])
    assert pairs(split.train, *split.train.matrix.nonzero()) == expected_train
    # Weights travel with train pairs, and the matrices are canonical.
    weights = dict(zip(pairs_list(data), data.matrix.data.tolist(), strict=True))
    for (user, item), weight in zip(
        pairs_list(split.train), split.train.matrix.data.tolist(), strict=True
    ):
        assert weights[(user, item)] == weight
    for matrix in (split.train.matrix, split.test):
        assert matrix.has_canonical_format and matrix.dtype == np.float32


def pairs_list(data: Interactions) -> list[tuple[str, str]]:
    rows = np.repeat(np.arange(data.n_users), np.diff(data.matrix.indptr))
    return [
        (data.user_ids[r], data.item_ids[c]) for r, c in zip(rows, data.matrix.indices, strict=True)
    ]


def test_row_blocks_cover_every_row_once_and_a_long_row_alone() -> None:
    from echotune.recommend.evaluation.split import _row_blocks

    # Rows of 3, 0, 10, 2, 2, 0, 0 and 1 entries, blocks of about 4 entries.
    indptr = np.cumsum([0, 3, 0, 10, 2, 2, 0, 0, 1])
    assert _row_blocks(indptr, 4) == [(0, 2), (2, 3), (3, 7), (7, 8)]
    assert _row_blocks(np.array([0]), 4) == []
    assert _row_blocks(indptr, 100) == [(0, 8)]


def test_compact_drops_empty_users_and_items_and_renumbers_the_rest() -> None:
    import scipy.sparse as sp

    from echotune.recommend.evaluation.split import compact

    dense = np.array(
        [[0, 2, 0, 0, 1], [0, 0, 0, 0, 0], [3, 0, 0, 0, 4], [0, 0, 0, 0, 0]], dtype=np.float32
    )
    data = Interactions(("a", "b", "c", "d"), ("v", "w", "x", "y", "z"), sp.csr_matrix(dense))
    small = compact(data)
    assert small.user_ids == ("a", "c") and small.item_ids == ("v", "w", "z")
    assert small.matrix.toarray().tolist() == [[0, 2, 1], [3, 0, 4]]
    assert small.matrix.has_canonical_format
    small.matrix.data[:] = 0  # a copy: the input keeps its weights
    assert data.matrix.sum() == 10
    full = Interactions(("a",), ("v",), sp.csr_matrix(np.ones((1, 1), dtype=np.float32)))
    assert compact(full) is full
