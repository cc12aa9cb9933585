"""Sparse shrunk-cosine neighbours against a dense reference, and the block planner."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from echotune.recommend.cf.similarity import (
    cosine_lists,
    cosine_neighbours,
    cut_lists,
    item_blocks,
    top_k_per_row,
)


def random_plays(users: int = 60, items: int = 45, seed: int = 1) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    dense = (rng.random((users, items)) < 0.15) * rng.integers(1, 4, size=(users, items))
    return sp.csr_matrix(dense.astype(np.float32))


def dense_reference(x: sp.csr_matrix, k: int, shrink: float) -> np.ndarray:
    d = x.toarray().astype(np.float64)
    norms = np.linalg.norm(d, axis=0)
    sim = (d.T @ d) / (np.outer(norms, norms) + shrink + 1e-30)
    np.fill_diagonal(sim, 0.0)
    out = np.zeros_like(sim)
    for i in range(sim.shape[0]):
        keep = np.argsort(-sim[i], kind="stable")[:k]
        out[i, keep] = sim[i, keep]
    return out.T  # W[j, i]: neighbour j of target i


def test_matches_the_dense_formula_whatever_the_block_size() -> None:
    x = random_plays()
    expected = dense_reference(x, k=5, shrink=3.0)
    for block_nnz in (10, 200, 10**9):
        got = cosine_neighbours(x, 5, 3.0, block_nnz=block_nnz).toarray()
        # Equal values at the k-th place may be kept either way: compare the kept weights.
        np.testing.assert_allclose(np.sort(got, axis=0), np.sort(expected, axis=0), rtol=1e-5)
        assert ((got != 0).sum(axis=0) <= 5).all()


def test_blocks_cover_every_item_once() -> None:
    x = random_plays(items=30)
    for budget in (1, 50, 10**9):
        blocks = list(item_blocks(x, budget))
        assert blocks[0][0] == 0 and blocks[-1][1] == 30
        assert all(a[1] == b[0] for a, b in itertools.pairwise(blocks))
    assert len(list(item_blocks(x, 1))) == 30


def test_top_k_per_row_keeps_the_largest() -> None:
    m = sp.csr_matrix(np.array([[5, 1, 3, 0, 4], [0, 0, 2, 0, 0]], dtype=np.float32))
    assert top_k_per_row(m, 2).toarray().tolist() == [[5, 0, 0, 0, 4], [0, 0, 2, 0, 0]]


def test_items_without_plays_have_no_neighbours() -> None:
    x = sp.csr_matrix(np.array([[1, 1, 0], [1, 0, 0]], dtype=np.float32))
    w = cosine_neighbours(x, 5, 0.0).toarray()
    assert not w[:, 2].any() and not w[2].any()
    assert w[0, 1] > 0 and w[1, 0] > 0


def _top_k_reference(dense: np.ndarray, k: int, by_magnitude: bool) -> np.ndarray:
    """Per row: sort by (value descending, column ascending), keep the first k non-zeros."""
    out = np.zeros_like(dense)
    for r, row in enumerate(dense):
        cols = np.flatnonzero(row)
        key = np.abs(row[cols]) if by_magnitude else row[cols]
        best = cols[np.lexsort((cols, -key))][:k]
        out[r, best] = row[best]
    return out


@pytest.mark.parametrize("by_magnitude", [False, True])
def test_top_k_per_row_breaks_ties_by_column_whatever_the_entry_order(by_magnitude: bool) -> None:
    rng = np.random.default_rng(5)
    # Few distinct values, so ties straddle the cut in most rows.
    dense = rng.choice([-2.0, -1.0, 0.0, 1.0, 2.0, 3.0], size=(40, 60)).astype(np.float32)
    expected = _top_k_reference(dense, 7, by_magnitude)
    ordered = sp.csr_matrix(dense)
    shuffled = ordered.copy()
    for r in range(shuffled.shape[0]):  # the same rows, entries in a random order
        a, b = shuffled.indptr[r], shuffled.indptr[r + 1]
        order = a + rng.permutation(b - a)
        shuffled.indices[a:b], shuffled.data[a:b] = shuffled.indices[order], shuffled.data[order]
    shuffled.has_sorted_indices = False
    for matrix in (ordered, shuffled):
        kept = top_k_per_row(matrix, 7, by_magnitude=by_magnitude)
        np.testing.assert_array_equal(kept.toarray(), expected)
    assert top_k_per_row(ordered, 7).has_sorted_indices


@pytest.mark.parametrize("k", [1, 3, 50])
def test_top_k_per_row_cuts_rows_of_any_length_like_the_reference(k: int) -> None:
    # Rows of 0 to 400 entries (some exactly k or k + 1), ties at the cut or
    # none, any sign, entries in a random order.
    rng = np.random.default_rng(k)
    n_rows, n_cols = 120, 400
    dense = np.zeros((n_rows, n_cols), dtype=np.float32)
    for r in range(n_rows):
        length = int(rng.choice([0, k, k + 1, rng.integers(1, n_cols + 1)]))
        cols = rng.choice(n_cols, length, replace=False)
        pool = [-3.0, -1.0, 1.0, 2.0, 3.0] if r % 2 else rng.standard_normal(8).tolist()
        dense[r, cols] = rng.choice(pool, length)
    shuffled = sp.csr_matrix(dense)
    for r in range(n_rows):
        a, b = shuffled.indptr[r], shuffled.indptr[r + 1]
        order = a + rng.permutation(b - a)
        shuffled.indices[a:b], shuffled.data[a:b] = shuffled.indices[order], shuffled.data[order]
    shuffled.has_sorted_indices = False
    for by_magnitude in (False, True):
        expected = _top_k_reference(dense, k, by_magnitude)
        kept = top_k_per_row(shuffled, k, by_magnitude=by_magnitude)
        np.testing.assert_array_equal(kept.toarray(), expected)
        assert (np.diff(kept.indptr) == np.minimum(np.count_nonzero(dense, axis=1), k)).all()


def assert_same_entries(a: sp.csr_matrix, b: sp.csr_matrix) -> None:
    """Entry for entry: the same positions, in the same order, with the same float32 values."""
    assert a.shape == b.shape and a.dtype == b.dtype == np.float32
    for got, want in ((a.indptr, b.indptr), (a.indices, b.indices), (a.data, b.data)):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("shrink", [0.0, 10.0])
def test_fewer_neighbours_cut_from_more_equal_a_build_at_that_count(shrink: float) -> None:
    # Binary plays tie often (equal co-counts and norms): the cut must keep the
    # same tied neighbours as a build does, and small blocks must not matter.
    x = random_plays(users=80, items=60, seed=4)
    x.data[:] = 1.0
    for block_nnz in (50, 10**9):
        largest = cosine_lists(x, 40, shrink, block_nnz=block_nnz)
        for k in (40, 12, 5, 1):
            assert_same_entries(
                cut_lists(largest, k), cosine_neighbours(x, k, shrink, block_nnz=block_nnz)
            )


@pytest.mark.parametrize("workers", [2, 3])
def test_blocks_built_on_threads_give_the_matrices_built_in_turn(workers: int) -> None:
    from echotune.recommend.cf.rp3 import rp3_neighbours
    from echotune.recommend.cf.similarity import block_workers, cosine_lists

    x = random_plays(users=90, items=70, seed=5)
    # Small blocks: dozens of them, so threads finish out of order.
    alone = cosine_lists(x, 8, 10.0, block_nnz=40)
    walks = rp3_neighbours(x, 8, 0.75, 0.35, block_nnz=40)
    with block_workers(workers):
        assert_same_entries(cosine_lists(x, 8, 10.0, block_nnz=40), alone)
        assert_same_entries(rp3_neighbours(x, 8, 0.75, 0.35, block_nnz=40), walks)


def test_block_workers_apply_inside_their_block_only() -> None:
    import threading

    from echotune.recommend.cf.similarity import block_workers, map_blocks

    def where(start: int, stop: int) -> tuple[int, int, str]:
        return start, stop, threading.current_thread().name

    blocks = [(i, i + 1) for i in range(12)]
    main = threading.current_thread().name
    assert {name for *_, name in map_blocks(where, blocks)} == {main}
    with block_workers(2):
        built = map_blocks(where, blocks)
        assert [(a, b) for a, b, _ in built] == blocks  # in order
        assert all(name.startswith("item-blocks") for *_, name in built)
    assert {name for *_, name in map_blocks(where, blocks)} == {main}
    with block_workers(0):  # at least one: in turn
        assert {name for *_, name in map_blocks(where, blocks)} == {main}
