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
