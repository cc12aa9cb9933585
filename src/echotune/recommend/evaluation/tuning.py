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

The grids and the tables that shape a search (`STAGED`, `NESTED`,
`BORROWED`, `INERT`, `SEEDED`) are in `grids.py`; this module walks them.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from echotune.recommend.cf.memo import KEEP_PER_KIND, reusing_parts
from echotune.recommend.cf.registry import Param, make_model
from echotune.recommend.evaluation.checkpoint import TrialLog
from echotune.recommend.evaluation.grids import GRIDS, INERT, NESTED, STAGED, Grid
from echotune.recommend.evaluation.split import EvalSplit
from echotune.recommend.evaluation.trial import validation_score

# on_trial(distinct trials scored, trials planned, of them taken from a checkpoint):
# for progress bars (an estimate of the time left counts only trials run).
TrialCallback = Callable[[int, int, int], None]
FULL_GRID_LIMIT = 100
COORDINATE_ROUNDS = 2


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
