"""Metrics against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from echotune.recommend.evaluation import metrics
from echotune.recommend.evaluation.metrics import (
    coverage,
    diversity_rows,
    hit_matrix,
    intra_list_diversity,
    item_vectors_from_train,
    ranking_metrics,
    summarise,
)


def test_one_user_by_hand() -> None:
    # Test items {3, 7, 9, 42 (unknown to train)}: 4 in all. Hits at ranks 1 and 3.
    recs = np.array([[3, 5, 9, 1, 2, 4, 6, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 7, 20]])
    test = sp.csr_matrix(([1.0, 1.0, 1.0], ([0, 0, 0], [3, 7, 9])), shape=(1, 30))
    hits = hit_matrix(recs, np.array([0]), test)
    assert np.flatnonzero(hits[0]).tolist() == [0, 2, 18]
    m = {k: float(v[0]) for k, v in ranking_metrics(hits, np.array([4])).items()}
    assert m["precision@10"] == pytest.approx(2 / 10)
    assert m["recall@20"] == pytest.approx(3 / 4)
    dcg = 1 / math.log2(2) + 1 / math.log2(4)
    idcg = sum(1 / math.log2(r + 2) for r in range(4))
    assert m["ndcg@10"] == pytest.approx(dcg / idcg)
    assert m["map@10"] == pytest.approx((1 / 1 + 2 / 3) / 4)


def test_idcg_and_ap_are_capped_at_ten_and_misses_score_zero() -> None:
    recs = np.tile(np.arange(20), (2, 1))
    test = sp.csr_matrix(np.vstack([np.r_[np.ones(12), np.zeros(18)], np.zeros(30)]))
    hits = hit_matrix(recs, np.array([0, 1]), test)
    m = ranking_metrics(hits, np.array([12, 3]))
    assert m["ndcg@10"].tolist() == pytest.approx([1.0, 0.0])
    assert m["map@10"].tolist() == pytest.approx([1.0, 0.0])
    assert m["recall@20"].tolist() == pytest.approx([1.0, 0.0])


def test_padding_is_never_a_hit() -> None:
    recs = np.array([[0, -1, -1]])
    test = sp.csr_matrix(np.array([[1.0, 0.0, 0.0]]))
    assert hit_matrix(recs, np.array([0]), test).tolist() == [[True, False, False]]


def test_coverage_counts_distinct_items_in_the_top_ten() -> None:
    recs = np.array([list(range(10)) + [50] * 10, [0, 1, 2, 3, 4, 5, 6, 7, 8, 11] + [60] * 10])
    assert coverage(recs, 100) == pytest.approx(11 / 100)


def test_diversity_is_one_minus_cosine_of_co_occurrence_columns() -> None:
    # Items 0 and 1 always played together (cosine 1), item 2 by other users (cosine 0).
    train = sp.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1]], dtype=np.float32))
    vectors = item_vectors_from_train(train)
    same = intra_list_diversity(np.array([[0, 1, -1]]), vectors)
    apart = intra_list_diversity(np.array([[0, 2, -1]]), vectors)
    mixed = intra_list_diversity(np.array([[0, 1, 2]]), vectors)
    assert same == pytest.approx(0.0, abs=1e-6) and apart == pytest.approx(1.0)
    assert mixed == pytest.approx(2 / 3)
    both = intra_list_diversity(np.array([[0, 1, -1], [0, 2, -1], [2, -1, -1]]), vectors, chunk=1)
    assert both == pytest.approx(0.5)  # the one-item list is left out


@pytest.mark.parametrize("chunk", [1, 7, 256])
def test_diversity_matches_the_pairwise_definition_list_by_list(chunk: int) -> None:
    rng = np.random.default_rng(3)
    train = sp.csr_matrix((rng.random((60, 40)) < 0.2).astype(np.float32))
    vectors = item_vectors_from_train(train)
    dense = vectors.toarray()
    # Lists repeat items across lists (as a chart does), some are short (-1 padding).
    recs = np.stack([rng.choice(12 if u % 3 else 40, 10, replace=False) for u in range(50)])
    recs[::4, 6:] = -1
    recs[5, 1:] = -1
    expected = []
    for items in recs[:, :10]:
        items = items[items >= 0]
        if items.size >= 2:
            cos = dense[items] @ dense[items].T
            off = ~np.eye(items.size, dtype=bool)
            expected.append((1.0 - cos[off]).mean())
    got = intra_list_diversity(recs, vectors, chunk=chunk)
    assert got == pytest.approx(float(np.mean(expected)), rel=1e-6)


def test_diversity_is_averaged_over_a_fixed_sample_of_many_lists() -> None:
    assert diversity_rows(5, limit=10).tolist() == [0, 1, 2, 3, 4]
    rows = diversity_rows(1_000, limit=100)
    assert rows.size == 100 and np.unique(rows).size == 100
    assert rows.tolist() == sorted(rows.tolist()) and rows.max() < 1_000
    # The same lists for every model: the sample depends on the count only.
    np.testing.assert_array_equal(rows, diversity_rows(1_000, limit=100))
    assert rows.max() > 900 and rows.min() < 100  # spread over all of them


def test_summarise_takes_diversity_over_the_sampled_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    # Items 0 and 1 co-occur (cosine 1), item 2 is apart: lists score 0, 1 and 1.
    train = sp.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1]], dtype=np.float32))
    vectors = item_vectors_from_train(train)
    recs = np.array([[0, 1], [0, 2], [1, 2]])
    test = sp.csr_matrix((3, 3), dtype=np.float32)
    args = (recs, np.arange(3), test, np.ones(3, dtype=np.int64), vectors)
    assert summarise(*args)["diversity"] == pytest.approx(2 / 3)
    monkeypatch.setattr(metrics, "DIVERSITY_LISTS", 2)
    sampled = recs[diversity_rows(3)]
    assert len(sampled) == 2
    expected = intra_list_diversity(sampled, vectors)
    assert summarise(*args)["diversity"] == pytest.approx(expected)


def test_summarise_averages_over_users() -> None:
    train = sp.csr_matrix(np.eye(4, dtype=np.float32))
    test = sp.csr_matrix(np.array([[0, 1, 0, 0], [0, 0, 0, 0]], dtype=np.float32))
    recs = np.array([[1, 2], [2, 3]])
    out = summarise(recs, np.array([0, 1]), test, np.array([1, 1]), item_vectors_from_train(train))
    assert out["precision@10"] == pytest.approx(0.05)
    assert out["recall@20"] == pytest.approx(0.5)
    assert out["coverage"] == pytest.approx(0.75)
    assert out["diversity"] == pytest.approx(1.0)
