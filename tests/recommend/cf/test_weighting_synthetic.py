"""Input weightings (BM25 against implicit's own) and the synthetic listening generator."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from implicit.nearest_neighbours import bm25_weight

from echotune.recommend.cf.synthetic import SyntheticSpec, synthetic_interactions
from echotune.recommend.cf.weighting import weigh


def test_weightings() -> None:
    x = sp.csr_matrix(np.array([[1, 5, 0], [2, 0, 0.5], [0, 1, 1]], dtype=np.float32))
    assert weigh(x, "binary").toarray().tolist() == [[1, 1, 0], [1, 0, 1], [0, 1, 1]]
    np.testing.assert_allclose(weigh(x, "log").data, 1 + np.log(np.maximum(x.data, 1)), rtol=1e-6)
    assert weigh(x, "raw").toarray().tolist() == x.toarray().tolist()
    expected = bm25_weight(x, K1=100, B=0.8).tocsr()
    np.testing.assert_allclose(weigh(x, "bm25").toarray(), expected.toarray(), rtol=1e-5)
    assert x.data.tolist() == [1, 5, 2, 0.5, 1, 1]  # the input is not modified


def test_synthetic_listening_has_the_promised_shape() -> None:
    spec = SyntheticSpec(users=300, plays=20_000, items=2_000, clusters=8, seed=3)
    data = synthetic_interactions(spec)
    assert data.n_users == 300 and data.n_items == 2_000
    assert data.matrix.sum() == 20_000
    again = synthetic_interactions(spec)
    assert (data.matrix != again.matrix).nnz == 0
    # Power law: the top 1% of items take a large share of plays, and every user played.
    plays = np.asarray(data.matrix.sum(axis=0)).ravel()
    top = np.sort(plays)[::-1]
    assert top[:20].sum() > 0.15 * plays.sum()
    assert (np.diff(data.matrix.indptr) > 0).all()
    # Activity is skewed: the busiest user plays far more than the median one.
    per_user = np.asarray(data.matrix.sum(axis=1)).ravel()
    assert per_user.max() > 5 * np.median(per_user)
