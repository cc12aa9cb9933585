"""The served collaborative scorer matches the fitted production model, and survives a save."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from echotune.recommend.cf.interactions import Interactions
from echotune.recommend.feature_index import FeatureIndex
from echotune.recommend.personal.cf_scorer import CFArtifact, CFScorer
from echotune.recommend.personal.store import _fit


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
    artifact = _fit(_data(index))
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
