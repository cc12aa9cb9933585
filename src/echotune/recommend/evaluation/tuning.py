"""Hyper-parameter search on validation splits carved from train.

Every model gets the same treatment: candidates are scored by mean NDCG@10
over one or more seeded hold-outs of the train set (more than one damps the
noise a small validation set adds, which otherwise favours whichever model
has the most knobs to fit it), and the best is refitted on all of train.
Grids of up to `FULL_GRID_LIMIT` points are searched whole; larger ones by
coordinate ascent (sweep one parameter at a time from the current best,
twice over), so no model gets a much larger search budget than another.
The ALS grid is staged by its cost (`STAGED`): whole at 32 factors, then
at 128 and 512 only around the best points of the size below. The itemknn
grid is scored a group of neighbour counts at a time (`NESTED`), each fold
building its neighbours once per group.

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

from echotune.recommend.cf.ease import DEFAULT_MAX_ITEMS
from echotune.recommend.cf.echotune_model import tail_items
from echotune.recommend.cf.memo import KEEP_PER_KIND, reusing_parts
from echotune.recommend.cf.registry import Param, make_model
from echotune.recommend.evaluation.checkpoint import TrialLog
from echotune.recommend.evaluation.split import EvalSplit
from echotune.recommend.evaluation.trial import validation_score

Grid = Mapping[str, Sequence[Param]]
# on_trial(distinct trials scored, trials planned, of them taken from a checkpoint):
# for progress bars (an estimate of the time left counts only trials run).
TrialCallback = Callable[[int, int, int], None]
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
    # order, from the middle values, the model's defaults and the tuned
    # `itemknn` and `ease` (see SEEDED), and keeps the first of equal
    # scores: the ALS weight goes first, judged
    # with ALS at its best; λ before a, while λ still matters (at a = 0 every
    # λ scores the same).
    "echotune": {
        "als_weight": (0.0, 0.3, 0.6, 1.0, 1.5, 3.0),
        "lam": (1.0, 5.0, 10.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 3000.0),
        "ease_dropout": (0.0, 0.33, 1.0, 3.0),
        "ease_weight": (0.0, 0.25, 0.5, 0.75, 1.0),
        "similarity": ("cosine", "rp3"),
        "neighbours": (50, 200, 500),
        "shrink": (0.0, 10.0, 100.0),
        "rp3_alpha": (0.5, 0.75, 1.0),
        "rp3_beta": (0.0, 0.2, 0.35, 0.5, 0.65),
        "weighting": ("binary", "log"),
        "prior_weight": (0.0, 0.02, 0.1),
        # Items outside EASE's head (past `max_items`): searched only where
        # there are any (`grid_for`). 1 stands in the middle place, which the
        # first start takes (`_starts`), so a run whose budget ends before t
        # is swept keeps the blend as it was without t.
        "tail_weight": (1.5, 2.0, 1.0, 3.0),
    },
}


def grid_for(name: str, folds: Sequence[EvalSplit]) -> Grid:
    """`GRIDS[name]` without what cannot matter on `folds`: `echotune`'s `tail_weight`
    when EASE covers every played item of every fold (dual form, or at most
    `max_items` played), as on all our committed datasets."""
    grid = GRIDS.get(name, {})
    if name == "echotune" and not any(
        tail_items(fold.train.matrix, DEFAULT_MAX_ITEMS).size for fold in folds
    ):
        grid = {k: v for k, v in grid.items() if k != "tail_weight"}
    return grid


# Grids whose first parameter is a cost (ALS factors: a 512-factor fit costs
# ~12x a 32-factor one at 160,000 items), searched in stages: whole at the
# cheapest value; at each larger one, the `keep` best settings of the other
# coarse parameters at the size below (ALS alpha and input weighting), each
# with every value of the `fine` parameter (regularization), whose best
# value moves with the cost: on the sessions from 0.1 at 32 factors to 10
# at 128, so a search only near the smaller size's best missed it.
# (cost parameter, fine parameter, keep).
STAGED: dict[str, tuple[str, str, int]] = {"implicit-als": ("factors", "regularization", 2)}


# Full grids with a parameter whose smaller values are cut from a larger
# value's build (`memo.reuse_nested`: an item's 20 best neighbours are the
# first 20 of its 1,000 best). Such a grid is scored a group at a time (the
# trials that differ only in that parameter, largest first), one fold at a
# time, so each fold builds the part once per group and holds only that
# one: 8 neighbour builds per fold for the itemknn grid instead of 48, and
# one 1,000-neighbour matrix in memory (1.3 GB at 164,000 items) rather
# than one per fold. The choice is the same as scoring trial by trial.
NESTED: dict[str, str] = {"itemknn": "neighbours"}


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


def _echotune_inert(params: Mapping[str, Param]) -> frozenset[str]:
    """The parameters `echotune` ignores at these values of the others (see INERT)."""
    inert: set[str] = set()
    a = params.get("ease_weight")
    if a == 0:  # no EASE part is built
        inert |= {"lam", "ease_dropout", "max_items", "ease_neighbours"}
    if a == 1:  # no neighbour part is built
        inert |= {"similarity", "neighbours", "shrink", "rp3_alpha", "rp3_beta"}
    elif params.get("similarity") == "cosine":
        inert |= {"rp3_alpha", "rp3_beta"}
    elif params.get("similarity") == "rp3":
        inert |= {"shrink"}
    if a in (0, 1):  # one part only: no blend for the tail to catch up in
        inert |= {"tail_weight"}
    if params.get("als_weight") == 0:  # no ALS term
        inert |= {"als_factors", "als_regularization", "als_alpha", "als_weighting", "candidates"}
    return frozenset(inert)


# Parameters a model ignores at some values of the others: `echotune` builds
# no EASE part at a = 0 and no neighbour part at a = 1, cosine neighbours take
# no RP3 α and β and RP3 no shrink, and w = 0 fits no ALS term. Trials that
# differ only in those are the same model, so they share one cache entry and
# run once (a test checks the model really gives the same lists). A sweep of
# λ at a = 0 used to fit and score nine identical models on every fold.
INERT: dict[str, Callable[[Mapping[str, Param]], frozenset[str]]] = {
    "echotune": _echotune_inert,
}


# More starts for coordinate ascent: the tuned baselines that the blend
# contains, as blend settings (source model, fixed values, source parameter ->
# blend parameter). Starting from them, the search ends at least as high on
# validation as each of them scores as a blend (the same model up to
# `echotune`'s caps), and it reaches the blends near them: from the middle
# values alone, five folds on the playlists ended at plain kNN (test NDCG@10
# 0.0470) because λ was swept while a = 0, where it does not matter.
SEEDED: dict[str, tuple[tuple[str, dict[str, Param], dict[str, str]], ...]] = {
    "echotune": (
        (
            "itemknn",
            {"als_weight": 0.0, "ease_weight": 0.0, "similarity": "cosine", "prior_weight": 0.0},
            {"neighbours": "neighbours", "shrink": "shrink", "weighting": "weighting"},
        ),
        (
            "ease",
            {"als_weight": 0.0, "ease_weight": 1.0, "ease_dropout": 0.0, "prior_weight": 0.0},
            {"lam": "lam", "weighting": "weighting"},
        ),
    ),
}


def _taken(source: str, tuned: Mapping[str, Param], renames: Mapping[str, str]) -> dict[str, Param]:
    """`source`'s tuned values (its defaults where it did not search them), renamed."""
    model = make_model(source)
    return {new: tuned.get(old, getattr(model, old)) for old, new in renames.items()}


def seeded_starts(name: str, tuned: Mapping[str, Mapping[str, Param]]) -> list[dict[str, Param]]:
    """Extra coordinate-ascent starts for `name` from the tuned models in SEEDED."""
    return [
        {**fixed, **_taken(source, tuned[source], renames)}
        for source, fixed, renames in SEEDED.get(name, ())
        if source in tuned
    ]


def sources(name: str) -> list[str]:
    """The models whose tuned parameters `name`'s search uses (BORROWED, then SEEDED)."""
    borrowed = BORROWED.get(name, ("", {}))[0]
    return [*([borrowed] if borrowed else []), *(s for s, _, _ in SEEDED.get(name, ()))]


def borrowed_params(name: str, tuned: Mapping[str, Mapping[str, Param]]) -> dict[str, Param]:
    """`name`'s parameters taken from another model's tuned ones (empty if none apply).

    Parameters the source did not search are its defaults, so the borrowed
    part is exactly the model that was tuned.
    """
    source, renames = BORROWED.get(name, ("", {}))
    if source not in tuned:
        return {}
    return _taken(source, tuned[source], renames)


@dataclass
class TuningResult:
    params: dict[str, Param]
    validation_ndcg: float
    trials: int
    history: list[tuple[dict[str, Param], float]] = field(default_factory=list)
    stopped_by_budget: bool = False
    resumed: int = 0
    """Trials whose score came from a `TrialLog` rather than a run."""


def tune(
    name: str,
    splits: EvalSplit | Sequence[EvalSplit],
    seed: int = 42,
    grid: Grid | None = None,
    progress: Callable[[str], None] | None = None,
    fixed: Mapping[str, Param] | None = None,
    budget_seconds: float | None = None,
    on_trial: TrialCallback | None = None,
    starts: Sequence[Mapping[str, Param]] = (),
    log: TrialLog | None = None,
) -> TuningResult:
    """The best parameters of `grid` (default `GRIDS[name]`) for `name` on `splits`.

    `fixed` parameters are passed to every trial and not searched (they take
    the place of any grid entry of the same name); they are in the result.
    With `budget_seconds`, no trial starts after that much time (the first
    always runs; a `NESTED` grid's groups start whole, so its first group
    runs): the rest score -inf, so the best finished trial wins. Full
    grids run in the grid's order, cheapest first where a grid lists cost
    (ALS factors) first and ascending. `on_trial(done, planned, resumed)` is called
    before the first trial with `done == 0`, after each trial, and once at the
    end with `done == planned`. `starts`
    are more points for coordinate ascent to start from (see `seeded_starts`;
    grid parameters they lack take the middle value, values off the grid are
    kept until a sweep finds better). With `log`, a trial it has a score for
    is not run again (it costs no time), and every trial run is recorded in it.
    """
    folds = [splits] if isinstance(splits, EvalSplit) else list(splits)
    fixed = dict(fixed or {})
    grid = GRIDS.get(name, {}) if grid is None else grid
    grid = {k: v for k, v in grid.items() if k not in fixed}
    cache: dict[tuple[tuple[str, Param], ...], float] = {}
    recorded = log.scores(name) if log is not None else {}
    started = time.monotonic()
    skipped = resumed = 0
    starts = [{k: v for k, v in start.items() if k in grid} for start in starts]
    planned = planned_trials(name, grid, starts)
    if on_trial:
        on_trial(0, planned, 0)

    def over_budget() -> bool:
        """Whether no trial may start now (the first always runs)."""
        spent = time.monotonic() - started
        return bool(cache) and budget_seconds is not None and spent >= budget_seconds

    def key_of(searched: Mapping[str, Param]) -> tuple[tuple[str, Param], ...]:
        """The trial's cache key: its parameters but those the model ignores there."""
        params = {**searched, **fixed}
        inert = INERT[name](params) if name in INERT else frozenset()
        return tuple(sorted((k, v) for k, v in params.items() if k not in inert))

    def take(key: tuple[tuple[str, Param], ...]) -> None:
        """The checkpoint's score for `key`, if it has one and the cache has not."""
        nonlocal resumed
        if key not in cache and key in recorded:
            cache[key] = recorded[key]
            resumed += 1
            if on_trial:
                on_trial(len(cache), max(planned, len(cache)), resumed)

    def score(searched: dict[str, Param]) -> float:
        nonlocal skipped
        params = {**searched, **fixed}
        key = key_of(searched)
        take(key)
        if key not in cache:
            if over_budget():
                skipped += 1
                return -math.inf
            scores = [validation_score(name, params, fold, seed) for fold in folds]
            cache[key] = sum(scores) / len(scores)
            if log is not None:
                log.record(name, key, cache[key])
            if progress:
                progress(f"  trial {name} {params} -> ndcg@10 {cache[key]:.4f}")
            if on_trial:
                on_trial(len(cache), max(planned, len(cache)), resumed)
        return cache[key]

    def score_group(group: Sequence[dict[str, Param]]) -> None:
        """Score the trials of `group` not scored yet, fold by fold (see `NESTED`).

        Once the budget is spent it scores nothing: `score` then skips them.
        """
        for searched in group:
            take(key_of(searched))
        todo = [s for s in group if key_of(s) not in cache]
        if not todo or over_budget():
            return
        totals = [0.0] * len(todo)
        for fold in folds:
            # One part per fold at a time: the group's largest, cut for the rest.
            with reusing_parts(keep=1):
                for n, searched in enumerate(todo):
                    totals[n] += validation_score(name, {**searched, **fixed}, fold, seed)
        for searched, total in zip(todo, totals, strict=True):
            cache[key_of(searched)] = total / len(folds)
            if log is not None:
                log.record(name, key_of(searched), total / len(folds))
            if progress:
                params = {**searched, **fixed}
                progress(f"  trial {name} {params} -> ndcg@10 {total / len(folds):.4f}")
        # Once per group: its trials end together, and a call per trial made the
        # first of them look like a whole group's time (estimates 6x too long).
        if on_trial:
            on_trial(len(cache), max(planned, len(cache)), resumed)

    # Two parts per fold: the setting a sweep holds and the one it varies.
    with reusing_parts(keep=max(KEEP_PER_KIND, 2 * len(folds))):
        result = _search(name, grid, fixed, score, cache, starts, score_group)
    result.stopped_by_budget = skipped > 0
    result.resumed = resumed
    if on_trial:
        on_trial(len(cache), len(cache), resumed)
    return result


def planned_trials(name: str, grid: Grid, starts: Sequence[Mapping[str, Param]] = ()) -> int:
    """How many trials `tune` runs on `grid`: exact for full grids, at most for coordinate ascent.

    Coordinate ascent revisits values it has scored (cached, not run again),
    so its distinct trials are usually fewer than this bound.
    """
    size = math.prod(len(values) for values in grid.values())
    staged = _staging(name, grid)
    if staged is not None:
        cost, fine, keep = staged
        first = size // len(grid[cost])
        return first + (len(grid[cost]) - 1) * keep * len(grid[fine])
    if size <= FULL_GRID_LIMIT:
        return size
    sweep = sum(len(values) - 1 for values in grid.values())
    # A start's value off the grid adds one option to that parameter's sweeps.
    return sum(
        1 + COORDINATE_ROUNDS * (sweep + sum(start[k] not in v for k, v in grid.items()))
        for start in _starts(name, grid, starts)
    )


def _starts(
    name: str, grid: Grid, extra: Sequence[Mapping[str, Param]] = ()
) -> list[dict[str, Param]]:
    """Where coordinate ascent starts: the middle values, the model's defaults, then
    `extra` (completed with the middle values), each once."""
    middle = {k: v[len(v) // 2] for k, v in grid.items()}
    found: list[dict[str, Param]] = []
    for start in (middle, _defaults_in_grid(name, grid), *({**middle, **e} for e in extra)):
        if start not in found:
            found.append(start)
    return found


def _search(
    name: str,
    grid: Grid,
    fixed: dict[str, Param],
    score: Callable[[dict[str, Param]], float],
    cache: dict[tuple[tuple[str, Param], ...], float],
    starts: Sequence[Mapping[str, Param]] = (),
    score_group: Callable[[Sequence[dict[str, Param]]], None] | None = None,
) -> TuningResult:
    if not grid:
        return TuningResult(fixed, score({}), len(cache), [(dict(k), v) for k, v in cache.items()])
    staged = _staging(name, grid)
    if staged is not None:
        best = _staged_grid(grid, score, *staged)
    elif math.prod(len(values) for values in grid.values()) <= FULL_GRID_LIMIT:
        candidates = [
            dict(zip(grid, combo, strict=True)) for combo in itertools.product(*grid.values())
        ]
        nested = NESTED.get(name)
        if score_group is not None and nested is not None and nested in grid:
            for group in _nested_groups(candidates, nested):
                score_group(group)
        # In the grid's order, so of equal scores the first in the grid wins.
        best = max(candidates, key=score)
    else:
        # Later starts win only by a strictly better score.
        best = max(
            (_coordinate_ascent(grid, score, start) for start in _starts(name, grid, starts)),
            key=score,
        )
    history = [(dict(k), v) for k, v in cache.items()]
    return TuningResult({**best, **fixed}, score(best), len(cache), history)


def _nested_groups(
    candidates: Sequence[dict[str, Param]], nested: str
) -> list[list[dict[str, Param]]]:
    """`candidates` grouped by every parameter but `nested`, each group largest `nested` first.

    Groups come in the order of their first candidate.
    """
    groups: dict[tuple[tuple[str, Param], ...], list[dict[str, Param]]] = {}
    for point in candidates:
        rest = tuple(sorted((k, v) for k, v in point.items() if k != nested))
        groups.setdefault(rest, []).append(point)
    return [
        sorted(group, key=lambda point: float(point[nested]), reverse=True)
        for group in groups.values()
    ]


def _staging(name: str, grid: Grid) -> tuple[str, str, int] | None:
    """`STAGED[name]` when `grid` has its cost parameter first and its fine parameter."""
    staged = STAGED.get(name)
    if staged is None or not grid or next(iter(grid)) != staged[0] or staged[1] not in grid:
        return None
    return staged


def _staged_grid(
    grid: Grid, score: Callable[[dict[str, Param]], float], cost: str, fine: str, keep: int
) -> dict[str, Param]:
    """The best point of a grid searched whole at its cheapest `cost` and, at each larger
    one, over every `fine` value for the `keep` best other settings below (see `STAGED`)."""
    levels, rest = grid[cost], {k: v for k, v in grid.items() if k != cost}
    level = [{cost: levels[0], **dict(zip(rest, combo, strict=True))}
             for combo in itertools.product(*rest.values())]  # fmt: skip
    tried = list(level)
    for value in levels[1:]:
        leaders: list[dict[str, Param]] = []
        # sorted() is stable: of equal scores, the one tried first leads.
        for point in sorted(level, key=score, reverse=True):
            setting = {k: v for k, v in point.items() if k not in (cost, fine)}
            if setting not in leaders:
                leaders.append(setting)
            if len(leaders) == keep:
                break
        level = [{cost: value, **{k: step if k == fine else lead[k] for k in rest}}
                 for lead in leaders for step in rest[fine]]  # fmt: skip
        tried.extend(level)
    return max(tried, key=score)


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
    """From `start`, sweep one parameter at a time to its best value, `COORDINATE_ROUNDS` times.

    A sweep also scores the value it stands on (first, so ties keep it): a
    start's value off the grid is left only for a better one.
    """
    best = dict(start)
    for _ in range(COORDINATE_ROUNDS):
        for key, values in grid.items():
            here = [best[key]] if best[key] not in values else []
            options = [{**best, key: value} for value in (*here, *values)]
            best = max(options, key=score)
    return best
