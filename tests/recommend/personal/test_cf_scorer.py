"""The served collaborative scorer matches the fitted production model, and survives a save."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pytest
import scipy.sparse as sp

from echotune.recommend.cf.interactions import Interactions
from echotune.recommend.columns import IndexBuilder
from echotune.recommend.feature_index import FeatureIndex
from echotune.recommend.personal.cf_scorer import CFArtifact, CFScorer
from echotune.recommend.personal.store import fit_artifact
from tests.recommend.factory import random_catalog, track


def _data(index: FeatureIndex) -> Interactions:
    rng = np.random.default_rng(3)
    ids = [str(i) for i in index.ids[:300]]
    triples = []
    for user in range(120):
        # Two taste groups: users play mostly inside the first or second half.
        group = ids[:150] if user % 2 else ids[150:]
        for item in rng.choice(group, size=12, replace=False):
            triples.append((f"u{user}", str(item), float(rng.integers(1, 5))))
    return Interactions.from_triples(triples)


def test_scores_follow_the_taste_group_and_survive_save_and_load(tmp_path: Path) -> None:
    index = FeatureIndex.synthetic(500, seed=2)
    artifact = fit_artifact(_data(index))
    assert artifact.item_factors.shape[0] == len(artifact.item_ids)
    scorer = CFScorer(artifact, index)
    listener = {str(t): 3.0 for t in index.ids[:5]}  # first half only
    scores = scorer.scores(listener)
    assert scores is not None and scores.shape == (len(index),)
    first, second = index.ids[:150], index.ids[150:300]
    rows_first = [index.row_of(str(t)) for t in first]
    rows_second = [index.row_of(str(t)) for t in second]
    assert scores[rows_first].mean() > 3 * max(scores[rows_second].mean(), 1e-6)
    best = str(index.ids[int(np.argmax(scores))])
    because = scorer.explain(listener, best)
    assert because and because[0][0] in listener

    path = tmp_path / "cf.npz"
    artifact.save(path)
    loaded = CFScorer(CFArtifact.load(path), index)
    again = loaded.scores(listener)
    assert again is not None
    np.testing.assert_allclose(again, scores, rtol=1e-5, atol=1e-6)
    assert CFArtifact.load(path).latent_weight == artifact.latent_weight


def _random_artifact(index: FeatureIndex, factors: int) -> CFArtifact:
    rng = np.random.default_rng(8)
    n = len(index)
    cols = rng.integers(0, n, size=(n, 10))
    weights = sp.csr_matrix(
        (rng.random(n * 10, dtype=np.float32), cols.ravel(), np.arange(0, n * 10 + 1, 10)),
        shape=(n, n),
    )
    weights.sum_duplicates()
    # Items in another order than the index's rows, as after real training.
    order = rng.permutation(n)
    return CFArtifact(
        name="random", item_ids=tuple(str(index.ids[i]) for i in order), weights=weights,
        prior=rng.random(n, dtype=np.float32) * np.float32(0.02), weighting="log",
        trained_at=datetime.now(UTC), users=1, interactions=1,
        item_factors=rng.normal(0, 0.3, size=(n, factors)).astype(np.float32),
        latent_weight=0.8, latent_scale=1.0, candidates=300, latent_alpha=2.0,
    )  # fmt: skip


def _reference(art: CFArtifact, index: FeatureIndex, listener: dict[str, float]) -> np.ndarray:
    """x·W + prior, plus the ALS term on the best 300 unplayed items, per index row."""
    item_of = {t: i for i, t in enumerate(art.item_ids)}
    seen = np.array(sorted(item_of[t] for t, w in listener.items() if w > 0 and t in item_of))
    x = np.array([1.0 + np.log(max(listener[art.item_ids[i]], 1.0)) for i in seen])
    scores = art.weights[seen].T @ x + art.prior
    y = art.item_factors.astype(np.float64)
    conf = art.latent_alpha * x  # implicit's confidence: alpha x (1 + log plays)
    a = (
        y.T @ y
        + (y[seen].T * (conf - 1.0)) @ y[seen]
        + art.latent_regularization * np.eye(y.shape[1])
    )
    user = np.linalg.solve(a, y[seen].T @ conf)
    masked = scores.copy()
    masked[seen] = -np.inf
    cand = np.argsort(-masked)[: art.candidates]
    scores[cand] += art.latent_weight / art.latent_scale * (y[cand] @ user)
    rows = np.array([index.row_of(t) for t in art.item_ids])
    out = np.zeros(len(index))
    out[rows] = scores
    return out


def test_scores_match_a_plain_reference_over_a_large_catalog() -> None:
    index = FeatureIndex.synthetic(30_000, seed=4)  # above the sampled-shortlist size
    art = _random_artifact(index, factors=8)
    scorer = CFScorer(art, index)
    rng = np.random.default_rng(9)
    listener = {
        str(index.ids[i]): float(rng.integers(1, 6)) for i in rng.choice(30_000, 400, replace=False)
    }
    listener["not-in-the-model"] = 3.0
    listener[str(index.ids[7])] = -1.0  # a skipped track counts for nothing
    scores = scorer.scores(listener)
    assert scores is not None
    np.testing.assert_allclose(scores, _reference(art, index, listener), rtol=1e-4, atol=1e-5)


def test_model_rows_are_remembered_only_for_read_only_mappings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index = FeatureIndex.synthetic(500, seed=2)
    scorer = CFScorer(fit_artifact(_data(index)), index)
    lookups: list[int] = []
    lookup = scorer._lookup_row
    monkeypatch.setattr(scorer, "_lookup_row", lambda w: lookups.append(len(w)) or lookup(w))
    plain = {str(t): 3.0 for t in index.ids[:5]}
    first = scorer.scores(plain)
    plain[str(index.ids[200])] = 3.0  # a plain dict can change: looked up again
    second = scorer.scores(plain)
    assert first is not None and second is not None and not np.allclose(first, second)
    frozen = MappingProxyType(dict(plain))
    again = scorer.scores(frozen)
    assert again is not None and np.allclose(again, second)
    scorer.explain(frozen, str(index.ids[201]))
    scorer.scores(frozen)
    assert lookups == [5, 6, 6]


@pytest.mark.parametrize(("weighting", "alpha"), [("bm25", 1.0), ("confidence", 5.0)])
def test_fold_in_is_what_implicit_computes_for_the_same_plays(weighting: str, alpha: float) -> None:
    """Serving folds a listener in with the confidence training used, whatever the weighting."""
    from implicit.cpu.als import AlternatingLeastSquares

    from echotune.recommend.cf.weighting import Bm25Stats, weigh

    index = FeatureIndex.synthetic(500, seed=2)
    data = _data(index)
    matrix = data.matrix
    confidence = weigh(matrix, "bm25" if weighting == "bm25" else "log")
    als = AlternatingLeastSquares(factors=8, regularization=3.0, alpha=alpha, iterations=3,
                                  random_state=1, num_threads=1)  # fmt: skip
    als.fit(sp.csr_matrix(confidence, dtype=np.float32), show_progress=False)
    artifact = CFArtifact(
        name="als", item_ids=data.item_ids, weights=sp.csr_matrix((data.n_items, data.n_items)),
        prior=np.zeros(data.n_items, np.float32), weighting="log", trained_at=datetime.now(UTC),
        users=data.n_users, interactions=data.nnz,
        item_factors=np.asarray(als.item_factors, dtype=np.float32), latent_weight=1.0,
        latent_regularization=3.0, latent_alpha=alpha, latent_weighting=weighting,  # type: ignore[arg-type]
        latent_bm25=Bm25Stats.of(matrix),
    )  # fmt: skip
    scorer = CFScorer(artifact, index)
    for user in (0, 1, 57):
        row = matrix[user]
        ours = scorer.fold_in(row.indices.astype(np.int64), row.data.astype(np.float32))
        theirs = als.recalculate_user(user, confidence[user])
        np.testing.assert_allclose(ours, np.ravel(theirs), rtol=1e-3, atol=1e-4)
    # The weighting matters: folded in with the other one, the factor is off.
    other = replace(artifact, latent_weighting="confidence" if weighting == "bm25" else "bm25")
    row = matrix[0]
    off = CFScorer(other, index).fold_in(row.indices.astype(np.int64), row.data)
    assert not np.allclose(off, np.ravel(als.recalculate_user(0, confidence[0])), atol=1e-3)


def test_a_model_file_from_before_the_fold_in_inputs_still_loads_and_scores(
    tmp_path: Path,
) -> None:
    index = FeatureIndex.synthetic(500, seed=2)
    artifact = fit_artifact(_data(index))
    assert artifact.latent_bm25 is not None
    path = tmp_path / "cf.npz"
    artifact.save(path)
    with np.load(path, allow_pickle=True) as f:
        older = {k: f[k] for k in f.files if k not in ("latent_alpha", "latent_weighting",
                                                         "bm25_idf", "bm25_mean")}  # fmt: skip
    np.savez_compressed(path, **older)
    loaded = CFArtifact.load(path)
    assert loaded.latent_weighting == "confidence" and loaded.latent_bm25 is None
    assert loaded.latent_alpha == 1.0
    scores = CFScorer(loaded, index).scores({str(t): 3.0 for t in index.ids[:5]})
    assert scores is not None and np.isfinite(scores).all()


def test_model_items_the_index_does_not_know_are_counted_apart_from_featureless_ones() -> None:
    # A track known only from a listening history is in the index without a
    # row; one another process added is not in it at all. Only the latter
    # calls for re-indexing before a saved model is installed.
    catalog = random_catalog(40, seed=1)
    builder = IndexBuilder()
    builder.add([*catalog, track("heard-only", with_features=False)])
    index = FeatureIndex(builder.columns())
    ids = [t.id for t in catalog[:20]]
    triples = [(f"u{u}", i, 1.0) for u in range(12) for i in ids[u % 4 :: 3]]
    triples += [("u0", "heard-only", 2.0), ("u1", "added-elsewhere", 1.0)]
    artifact = fit_artifact(Interactions.from_triples(triples))
    assert {"heard-only", "added-elsewhere"} <= set(artifact.item_ids)
    assert CFScorer(artifact, index).unknown == 1
    builder.add([track("added-elsewhere")])
    assert CFScorer(artifact, FeatureIndex(builder.columns())).unknown == 0
