"""RP3beta walks against a dense reference, and their place in the `echotune` blend."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from echotune.recommend.cf.echotune_model import EchoTuneModel
from echotune.recommend.cf.interactions import Interactions
from echotune.recommend.cf.itemknn import ItemKNN
from echotune.recommend.cf.rp3 import cut_walks, rp3_neighbours
from tests.recommend.cf.test_similarity import assert_same_entries, random_plays


def dense_reference(x: sp.csr_matrix, k: int, alpha: float, beta: float) -> np.ndarray:
    d = x.toarray().astype(np.float64)
    user_sums, item_sums = d.sum(axis=1, keepdims=True), d.sum(axis=0, keepdims=True)
    p_ui = np.divide(d, user_sums, out=np.zeros_like(d), where=user_sums > 0) ** alpha
    p_iu = np.divide(d, item_sums, out=np.zeros_like(d), where=item_sums > 0).T ** alpha
    listeners = (d > 0).sum(axis=0)
    discount = np.where(listeners > 0, np.maximum(listeners, 1) ** -beta, 0.0)
    walk = (p_iu @ p_ui) * discount[np.newaxis, :]
    np.fill_diagonal(walk, 0.0)
    out = np.zeros_like(walk)
    for j in range(walk.shape[0]):
        keep = np.argsort(-walk[j], kind="stable")[:k]
        out[j, keep] = walk[j, keep]
    return out  # W[j, i]: from played item j to target i


@pytest.mark.parametrize(("alpha", "beta"), [(1.0, 0.0), (0.5, 0.35), (0.75, 0.65)])
def test_matches_the_dense_formula_whatever_the_block_size(alpha: float, beta: float) -> None:
    x = random_plays()
    expected = dense_reference(x, 6, alpha, beta)
    for block_nnz in (10, 300, 10**9):
        got = rp3_neighbours(x, 6, alpha, beta, block_nnz=block_nnz).toarray()
        np.testing.assert_allclose(np.sort(got, axis=1), np.sort(expected, axis=1), rtol=1e-5)
        assert ((got != 0).sum(axis=1) <= 6).all()


def test_beta_discounts_popular_targets() -> None:
    # Item 0 is played by everyone, item 1 by half; both co-occur with item 2 equally.
    rows = [[1, 1, 1], [1, 1, 1], [1, 0, 0], [1, 0, 0]]
    x = sp.csr_matrix(np.array(rows, dtype=np.float32))
    plain = rp3_neighbours(x, 5, 1.0, 0.0).toarray()
    discounted = rp3_neighbours(x, 5, 1.0, 0.8).toarray()
    assert plain[2, 0] == pytest.approx(plain[2, 1])
    assert discounted[2, 1] > discounted[2, 0]


def test_items_nobody_played_are_never_reached() -> None:
    x = sp.csr_matrix(np.array([[1, 1, 0], [1, 0, 0]], dtype=np.float32))
    w = rp3_neighbours(x, 5, 1.0, 0.5).toarray()
    assert not w[:, 2].any() and not w[2].any()
    assert w[0, 1] > 0 and w[1, 0] > 0


def test_cosine_without_ease_is_plain_item_knn(planted_data: Interactions) -> None:
    # The blend's search contains the itemknn baseline: a = 0, cosine, no prior, no ALS.
    blend = EchoTuneModel(
        ease_weight=0.0,
        similarity="cosine",
        neighbours=20,
        shrink=1.0,
        prior_weight=0.0,
        weighting="binary",
        als_weight=0.0,
    )
    knn = ItemKNN(neighbours=20, shrink=1.0)
    users = np.arange(planted_data.n_users)
    blend.fit(planted_data)
    knn.fit(planted_data)
    np.testing.assert_array_equal(blend.recommend(users, 5), knn.recommend(users, 5))


def test_rp3_blend_explains_with_played_items(planted_data: Interactions) -> None:
    model = EchoTuneModel(lam=5.0, neighbours=20, als_weight=0.0)
    model.fit(planted_data)
    user = planted_data.user_index("probe")
    assert user is not None
    top = int(model.recommend([user], 1)[0, 0])
    reasons = model.explain(user, top)
    assert reasons and {j for j, _ in reasons} <= set(planted_data.seen(user).tolist())


@pytest.mark.parametrize(("alpha", "beta"), [(1.0, 0.0), (0.5, 0.35)])
def test_fewer_targets_cut_from_more_equal_a_build_at_that_count(alpha: float, beta: float) -> None:
    x = random_plays(users=80, items=60, seed=4)
    x.data[:] = 1.0  # many equal walks: ties must be cut as a build cuts them
    for block_nnz in (50, 10**9):
        largest = rp3_neighbours(x, 40, alpha, beta, block_nnz=block_nnz)
        for k in (40, 12, 5, 1):
            assert_same_entries(
                cut_walks(largest, k), rp3_neighbours(x, k, alpha, beta, block_nnz=block_nnz)
            )
