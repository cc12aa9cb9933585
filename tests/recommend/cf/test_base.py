"""`top_k`: best-first selection with index tie-breaks, -inf exclusion and padding."""

from __future__ import annotations

import numpy as np

from echotune.recommend.cf.base import top_k


def test_best_first_and_ties_by_index() -> None:
    scores = np.array([[0.1, 0.5, 0.5, 0.9, 0.5], [3.0, 2.0, 1.0, 0.0, -1.0]], dtype=np.float32)
    assert top_k(scores, 3).tolist() == [[3, 1, 2], [0, 1, 2]]


def test_many_ties_at_the_cut() -> None:
    scores = np.zeros((2, 1000), dtype=np.float32)
    scores[1, 500] = 1.0
    assert top_k(scores, 3).tolist() == [[0, 1, 2], [500, 0, 1]]


def test_excluded_items_are_never_returned_and_short_rows_padded() -> None:
    scores = np.array([[1.0, -np.inf, 2.0, -np.inf]], dtype=np.float32)
    assert top_k(scores, 3).tolist() == [[2, 0, -1]]
    assert top_k(scores, 6).tolist() == [[2, 0, -1, -1, -1, -1]]


def test_matches_a_full_sort_on_random_scores() -> None:
    rng = np.random.default_rng(3)
    scores = rng.standard_normal((50, 300)).astype(np.float32)
    expected = np.argsort(-scores, axis=1, kind="stable")[:, :10]
    np.testing.assert_array_equal(top_k(scores, 10), expected)


def test_degenerate_sizes() -> None:
    assert top_k(np.zeros((2, 0), dtype=np.float32), 3).tolist() == [[-1] * 3] * 2
    assert top_k(np.ones((1, 4), dtype=np.float32), 0).shape == (1, 0)


def _reference(scores: np.ndarray, k: int) -> np.ndarray:
    """Best first, ties to the lower index, -inf never, -1 padding: by a full sort."""
    out = np.full((scores.shape[0], k), -1, dtype=np.int64)
    for r, row in enumerate(scores):
        order = [c for c in np.argsort(-row, kind="stable") if np.isfinite(row[c])][:k]
        out[r, : len(order)] = order
    return out


def test_wide_rows_take_their_candidates_from_a_column_sample_exactly() -> None:
    # Rows wide enough to be sampled (>= 8 * k columns), with what real scores
    # have: long runs of ties (an item-item model scores most items 0), played
    # items at -inf, rows whose best are all outside the sample, rows with
    # fewer finite scores than k.
    rng = np.random.default_rng(11)
    k = 20
    scores = rng.standard_normal((60, 4_000)).astype(np.float32)
    scores[::3] = np.round(scores[::3])  # few distinct values: ties everywhere
    scores[1::5, rng.integers(0, 4_000, 3_000)] = 0.0
    scores[2::7, : 3_990] = -np.inf  # 10 finite, fewer than k
    scores[4] = 0.0
    scores[4, 1::8] = 5.0  # the best never sampled (the sample takes every 8th from 0)
    scores[5, rng.integers(0, 4_000, 500)] = -np.inf
    np.testing.assert_array_equal(top_k(scores, k), _reference(scores, k))
    for small in (1, 7, 300):
        np.testing.assert_array_equal(top_k(scores, small), _reference(scores, small))


def test_rows_mostly_tied_at_the_cut_keep_the_lowest_index_ties() -> None:
    # A few scored items, the rest 0: the sampled cut is 0 and nearly every
    # column passes it, so the ties are capped to the lowest indices.
    rng = np.random.default_rng(5)
    scores = np.zeros((10, 4_000), dtype=np.float32)
    for row in scores:
        row[rng.integers(0, 4_000, 5)] = 1.0 + rng.random(5).astype(np.float32)
    scores[3, :100] = -np.inf  # the lowest-index ties are excluded ones
    for k in (20, 300):
        np.testing.assert_array_equal(top_k(scores, k), _reference(scores, k))
