"""Hyper-parameter search on validation splits carved from train.

Every model gets the same treatment: candidates are scored by mean NDCG@10
over one or more seeded hold-outs of the train set (more than one damps the
noise a small validation set adds, which otherwise favours whichever model
has the most knobs to fit it), and the best is refitted on all of train.
Grids of up to `FULL_GRID_LIMIT` points are searched whole; larger ones by
coordinate ascent (sweep one parameter at a time from the current best,
twice over), so no model gets a much larger search budget than another.

On large inputs tuning runs on a sample of the users (the runner's
`tune_users`), and the choice is refitted on all of train as it is: a
regularizer is a prior, which does not grow with the data (scaling λ and
shrink by the user ratio lost 3-4% NDCG@10 on Last.fm). A time budget
(`budget_seconds`) stops a search early: no trial starts once it is spent,
and the best finished trial wins.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from echotune.recommend.cf.memo import KEEP_PER_KIND, reusing_parts
from echotune.recommend.cf.registry import Param, make_model
from echotune.recommend.evaluation.metrics import CUTOFF, hit_matrix, ranking_metrics
from echotune.recommend.evaluation.split import EvalSplit

Grid = Mapping[str, Sequence[Param]]
# on_trial(distinct trials run, trials planned): for progress bars.
TrialCallback = Callable[[int, int], None]
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
    # implicit's ALS falls off a cliff just past its best regularization (on
    # MovieLens 100K, 15 -> 0.443 NDCG@10 but 20 -> 0.408), so the steps are
    # about 3x, and alpha 1 and 5 put the confidence-to-regularization ratio
    # on an even finer ladder. Factors reach 512: on the playlists 512 beat 256.
    "implicit-als": {
        "factors": (32, 128, 512),
        "regularization": (0.1, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0),
        "alpha": (1.0, 5.0),
        "weighting": ("bm25", "confidence"),
    },
    "ease": {
        "lam": (1.0, 5.0, 10.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 3000.0),
        "weighting": ("binary", "log"),
    },
    # a = 0 with cosine similarity is plain kNN and a = 1 with no ALS term plain
    # (pruned) EASE, so both baselines are inside the search; λ as for EASE.
    # The ALS term's own parameters are not here: they are borrowed from the
    # tuned `implicit-als` (see BORROWED). Coordinate ascent sweeps in this
    # order, from two starts (the middle values and the model's defaults),
    # and keeps the first of equal scores: the ALS weight goes first, judged
    # with ALS at its best; λ before a, while λ still matters (at a = 0 every
    # λ scores the same).
    "echotune": {
        "als_weight": (0.0, 0.3, 0.6, 1.0, 1.5, 3.0),
        "lam": (1.0, 5.0, 10.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 3000.0),
        "ease_weight": (0.0, 0.25, 0.5, 0.75, 1.0),
        "similarity": ("cosine", "rp3"),
        "neighbours": (50, 200, 500),
        "shrink": (0.0, 10.0, 100.0),
        "rp3_alpha": (0.5, 0.75, 1.0),
        "rp3_beta": (0.0, 0.2, 0.35, 0.5, 0.65),
        "weighting": ("binary", "log"),
        "prior_weight": (0.0, 0.02, 0.1),
    },
}


# A staged search: `echotune`'s ALS term is the `implicit-als` model, so it
# takes that model's tuned parameters (renamed) rather than searching them
# again inside the blend, where a coordinate sweep reaches far fewer of them.
# The chosen values are still picked on validation folds only.
BORROWED: dict[str, tuple[str, dict[str, str]]] = {
    "echotune": (
        "implicit-als",
        {
            "factors": "als_factors",
            "regularization": "als_regularization",
            "alpha": "als_alpha",
            "weighting": "als_weighting",
        },
    ),
}


def borrowed_params(name: str, tuned: Mapping[str, Mapping[str, Param]]) -> dict[str, Param]:
    """`name`'s parameters taken from another model's tuned ones (empty if none apply).

    Parameters the source did not search are its defaults, so the borrowed
    part is exactly the model that was tuned.
    """
    source, renames = BORROWED.get(name, ("", {}))
    if source not in tuned:
        return {}
    model = make_model(source)
    chosen = {k: tuned[source].get(k, getattr(model, k)) for k in renames}
    return {renames[k]: v for k, v in chosen.items()}


@dataclass
class TuningResult:
    params: dict[str, Param]
    validation_ndcg: float
    trials: int
    history: list[tuple[dict[str, Param], float]] = field(default_factory=list)
    stopped_by_budget: bool = False


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
    fixed: Mapping[str, Param] | None = None,
    budget_seconds: float | None = None,
    on_trial: TrialCallback | None = None,
) -> TuningResult:
    """The best parameters of `grid` (default `GRIDS[name]`) for `name` on `splits`.

    `fixed` parameters are passed to every trial and not searched (they take
    the place of any grid entry of the same name); they are in the result.
    With `budget_seconds`, no trial starts after that much time (the first
    always runs): the rest score -inf, so the best finished trial wins. Full
    grids run in the grid's order, cheapest first where a grid lists cost
    (ALS factors) first and ascending. `on_trial(done, planned)` is called
    after each trial, and once at the end with `done == planned`.
    """
    folds = [splits] if isinstance(splits, EvalSplit) else list(splits)
    fixed = dict(fixed or {})
    grid = GRIDS.get(name, {}) if grid is None else grid
    grid = {k: v for k, v in grid.items() if k not in fixed}
    cache: dict[tuple[tuple[str, Param], ...], float] = {}
    started = time.monotonic()
    skipped = 0
    planned = planned_trials(name, grid)

    def score(searched: dict[str, Param]) -> float:
        nonlocal skipped
        params = {**searched, **fixed}
        key = tuple(sorted(params.items()))
        if key not in cache:
            spent = time.monotonic() - started
            if cache and budget_seconds is not None and spent >= budget_seconds:
                skipped += 1
                return -math.inf
            scores = [validation_score(name, params, fold, seed) for fold in folds]
            cache[key] = sum(scores) / len(scores)
            if progress:
                progress(f"  trial {name} {params} -> ndcg@10 {cache[key]:.4f}")
            if on_trial:
                on_trial(len(cache), max(planned, len(cache)))
        return cache[key]

    # Two parts per fold: the setting a sweep holds and the one it varies.
    with reusing_parts(keep=max(KEEP_PER_KIND, 2 * len(folds))):
        result = _search(name, grid, fixed, score, cache)
    result.stopped_by_budget = skipped > 0
    if on_trial:
        on_trial(len(cache), len(cache))
    return result


def planned_trials(name: str, grid: Grid) -> int:
    """How many trials `tune` runs on `grid`: exact for full grids, at most for coordinate ascent.

    Coordinate ascent revisits values it has scored (cached, not run again),
    so its distinct trials are usually fewer than this bound.
    """
    size = math.prod(len(values) for values in grid.values())
    if size <= FULL_GRID_LIMIT:
        return size
    sweep = sum(len(values) - 1 for values in grid.values())
    return len(_starts(name, grid)) * (1 + COORDINATE_ROUNDS * sweep)


def _starts(name: str, grid: Grid) -> list[dict[str, Param]]:
    """Where coordinate ascent starts: the middle values, and the model's defaults if other."""
    middle = {k: v[len(v) // 2] for k, v in grid.items()}
    defaults = _defaults_in_grid(name, grid)
    return [middle] if defaults == middle else [middle, defaults]


def _search(
    name: str,
    grid: Grid,
    fixed: dict[str, Param],
    score: Callable[[dict[str, Param]], float],
    cache: dict[tuple[tuple[str, Param], ...], float],
) -> TuningResult:
    if not grid:
        return TuningResult(fixed, score({}), len(cache), [(dict(k), v) for k, v in cache.items()])
    if math.prod(len(values) for values in grid.values()) <= FULL_GRID_LIMIT:
        candidates = [
            dict(zip(grid, combo, strict=True)) for combo in itertools.product(*grid.values())
        ]
        best = max(candidates, key=score)
    else:
        # Later starts win only by a strictly better score.
        best = max(
            (_coordinate_ascent(grid, score, start) for start in _starts(name, grid)), key=score
        )
    history = [(dict(k), v) for k, v in cache.items()]
    return TuningResult({**best, **fixed}, score(best), len(cache), history)


def _defaults_in_grid(name: str, grid: Grid) -> dict[str, Param]:
    """The model's own default for each grid parameter (the middle value where it is off-grid)."""
    model = make_model(name)
    start: dict[str, Param] = {}
    for key, values in grid.items():
        default = getattr(model, key, None)
        if isinstance(default, int | float | str) and default in values:
            start[key] = default
        else:
            start[key] = values[len(values) // 2]
    return start


def _coordinate_ascent(
    grid: Grid, score: Callable[[dict[str, Param]], float], start: dict[str, Param]
) -> dict[str, Param]:
    """From `start`, sweep one parameter at a time to its best value, `COORDINATE_ROUNDS` times."""
    best = dict(start)
    for _ in range(COORDINATE_ROUNDS):
        for key, values in grid.items():
            options = [{**best, key: value} for value in values]
            best = max(options, key=score)
    return best
