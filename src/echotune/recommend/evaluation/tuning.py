"""Hyper-parameter search on validation splits carved from train.

Every model gets the same treatment: candidates are scored by mean NDCG@10
over one or more seeded hold-outs of the train set (more than one damps the
noise a small validation set adds, which otherwise favours whichever model
has the most knobs to fit it), and the best is refitted on all of train.
Grids of up to `FULL_GRID_LIMIT` points are searched whole; larger ones by
coordinate ascent (sweep one parameter at a time from the current best,
twice over), so no model gets a much larger search budget than another.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from echotune.recommend.cf.registry import Param, make_model
from echotune.recommend.evaluation.metrics import CUTOFF, hit_matrix, ranking_metrics
from echotune.recommend.evaluation.split import EvalSplit

Grid = Mapping[str, Sequence[Param]]
FULL_GRID_LIMIT = 100
COORDINATE_ROUNDS = 2

# Each grid brackets the values its model's authors and benchmarks use, wide
# enough that the chosen value is rarely at an edge on our datasets.
GRIDS: dict[str, Grid] = {
    "popularity": {},
    "itemknn": {
        "neighbours": (20, 50, 100, 200, 500, 1000),
        "shrink": (0.0, 10.0, 50.0, 200.0),
        "weighting": ("binary", "log"),
    },
    "implicit-als": {
        "factors": (32, 64, 128, 256),
        "regularization": (0.01, 0.1, 1.0, 10.0, 100.0),
        "alpha": (1.0, 5.0),
        "weighting": ("bm25", "confidence"),
    },
    "ease": {
        "lam": (5.0, 10.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 3000.0),
        "weighting": ("binary", "log"),
    },
    # 0 and 1 make plain kNN and plain (pruned) EASE part of the search; λ as for EASE.
    "echotune": {
        "ease_weight": (0.0, 0.5, 0.7, 0.85, 1.0),
        "lam": (5.0, 10.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 3000.0),
        "neighbours": (50, 200, 500),
        "shrink": (0.0, 10.0, 100.0),
        "prior_weight": (0.0, 0.02, 0.1),
        "weighting": ("binary", "log"),
        "als_weight": (0.0, 0.2, 0.4, 0.8),
        "als_factors": (32, 64, 128),
        "als_regularization": (1.0, 10.0),
    },
}


@dataclass
class TuningResult:
    params: dict[str, Param]
    validation_ndcg: float
    trials: int
    history: list[tuple[dict[str, Param], float]] = field(default_factory=list)


def validation_score(name: str, params: Mapping[str, Param], split: EvalSplit, seed: int) -> float:
    """NDCG@10 of `name` with `params` fitted on `split.train`, scored on `split.test`."""
    model = make_model(name, params, seed=seed)
    model.fit(split.train)
    users = split.users
    recs = model.recommend(users, CUTOFF)
    hits = hit_matrix(recs, users, split.test)
    return float(ranking_metrics(hits, split.test_sizes[users])["ndcg@10"].mean())


def tune(
    name: str,
    splits: EvalSplit | Sequence[EvalSplit],
    seed: int = 42,
    grid: Grid | None = None,
    progress: Callable[[str], None] | None = None,
) -> TuningResult:
    """The best parameters of `grid` (default `GRIDS[name]`) for `name` on `splits`."""
    folds = [splits] if isinstance(splits, EvalSplit) else list(splits)
    grid = GRIDS.get(name, {}) if grid is None else grid
    cache: dict[tuple[tuple[str, Param], ...], float] = {}

    def score(params: dict[str, Param]) -> float:
        key = tuple(sorted(params.items()))
        if key not in cache:
            scores = [validation_score(name, params, fold, seed) for fold in folds]
            cache[key] = sum(scores) / len(scores)
            if progress:
                progress(f"  trial {name} {params} -> ndcg@10 {cache[key]:.4f}")
        return cache[key]

    if not grid:
        return TuningResult({}, score({}), 1, [({}, cache[()])])
    size = 1
    for values in grid.values():
        size *= len(values)
    if size <= FULL_GRID_LIMIT:
        candidates = [
            dict(zip(grid, combo, strict=True)) for combo in itertools.product(*grid.values())
        ]
        best = max(candidates, key=score)
    else:
        best = _coordinate_ascent(grid, score)
    history = [(dict(k), v) for k, v in cache.items()]
    return TuningResult(best, score(best), len(cache), history)


def _coordinate_ascent(grid: Grid, score: Callable[[dict[str, Param]], float]) -> dict[str, Param]:
    # Start from the middle value of every parameter.
    best: dict[str, Param] = {k: v[len(v) // 2] for k, v in grid.items()}
    for _ in range(COORDINATE_ROUNDS):
        for key, values in grid.items():
            options = [{**best, key: value} for value in values]
            best = max(options, key=score)
    return best
