"""One tuning trial's score: a model fitted on a validation fold's train, NDCG@10 on its test.

Kept apart from the search (`tuning`) because checkpoints (`checkpoint`)
trust a recorded score only while the code it depends on is unchanged: the
models, the split, the metrics and this function, not the search around them.
"""

from __future__ import annotations

from collections.abc import Mapping

from echotune.recommend.cf.registry import Param, make_model
from echotune.recommend.evaluation.metrics import CUTOFF, hit_matrix, ranking_metrics
from echotune.recommend.evaluation.split import EvalSplit


def validation_score(name: str, params: Mapping[str, Param], split: EvalSplit, seed: int) -> float:
    """NDCG@10 of `name` with `params` fitted on `split.train`, scored on `split.test`."""
    model = make_model(name, params, seed=seed)
    model.fit(split.train)
    users = split.users
    recs = model.recommend(users, CUTOFF)
    hits = hit_matrix(recs, users, split.test)
    return float(ranking_metrics(hits, split.test_sizes[users])["ndcg@10"].mean())
