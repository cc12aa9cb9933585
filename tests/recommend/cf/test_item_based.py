"""Scoring item-based models: the batch and single-user paths give the same scores."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from echotune.recommend.cf.interactions import Interactions
from echotune.recommend.cf.item_based import rows_times
from echotune.recommend.cf.itemknn import ItemKNN
from echotune.recommend.cf.weighting import weigh


def _plays_and_weights(seed: int = 2) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    rng = np.random.default_rng(seed)
    counts = sp.random(40, 300, density=0.2, format="csr", random_state=seed, dtype=np.float32)
    counts.data = np.ceil(counts.data * 50)
    rows = weigh(counts, "log")  # 1 + log(count): products that float32 would round
    weights = sp.random(300, 300, density=0.1, format="csr", random_state=seed + 1)
    weights.data = rng.standard_normal(weights.nnz)
    return rows, sp.csr_matrix(weights, dtype=np.float32)


def test_scipy_and_bincount_paths_agree_bit_for_bit() -> None:
    rows, weights = _plays_and_weights()
    gathered = rows_times(rows, weights)
    product = rows_times(rows, weights, weights.astype(np.float64))
    assert gathered.dtype == product.dtype == np.float32
    np.testing.assert_array_equal(gathered, product)
    # Both are float64 sums of exact products, rounded once.
    exact = (rows.astype(np.float64) @ weights.astype(np.float64)).toarray()
    np.testing.assert_allclose(gathered, exact.astype(np.float32), rtol=1e-6, atol=1e-6)


def test_recommending_many_users_matches_scoring_each_alone(planted_data: Interactions) -> None:
    model = ItemKNN(neighbours=20, shrink=10.0, weighting="log")
    model.fit(planted_data)
    users = np.arange(planted_data.n_users)
    together = model.recommend(users, 10)
    alone = np.vstack([model.recommend([u], 10) for u in users])
    np.testing.assert_array_equal(together, alone)
    assert model._batch_weights is None  # the float64 copy lives only during the call
