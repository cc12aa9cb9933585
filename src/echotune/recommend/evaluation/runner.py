"""One evaluation run: every chosen model, tuned and fitted on one split, then measured."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import scipy.sparse as sp

from echotune.recommend.cf.registry import MODEL_NAMES, Param, make_model
from echotune.recommend.cf.similarity import block_workers, default_block_workers
from echotune.recommend.evaluation.checkpoint import TrialLog, context_of
from echotune.recommend.evaluation.grids import borrowed_params, grid_for, seeded_starts, sources
from echotune.recommend.evaluation.metrics import (
    RECALL_CUTOFF,
    item_vectors_from_train,
    summarise,
)
from echotune.recommend.evaluation.split import (
    MIN_USER_ITEMS,
    EvalSplit,
    holdout_split,
    sample_evaluated,
    sample_users,
)
from echotune.recommend.evaluation.tuning import TuningResult, tune

# Tuning on more users than this runs on a seeded sample of them: fits cost
# grow with users, and a sample this size already ranks parameter settings.
DEFAULT_TUNE_USERS = 10_000
# Metrics average over a seeded sample of this many evaluated users when there
# are more: scoring every item for a million users would take hours per model,
# and at 50,000 users NDCG@10's standard error is already ~0.001.
DEFAULT_EVAL_USERS = 50_000
# Validation folds by default: enough that the folds together hold about this
# many users, between 2 and 5. On small data one hold-out is noisy enough to
# pick settings that do worse on test (docs/evaluation.md, "Tuning").
FOLD_USERS = 5_000
MIN_FOLDS, MAX_FOLDS = 2, 5


def default_folds(users: int) -> int:
    """Validation folds for tuning on `users` users: ceil(FOLD_USERS / users), in [2, 5]."""
    return min(MAX_FOLDS, max(MIN_FOLDS, math.ceil(FOLD_USERS / max(users, 1))))


@dataclass(frozen=True)
class EvalConfig:
    models: Sequence[str] = MODEL_NAMES
    tune: bool = True
    seed: int = 42
    validation_fraction: float = 0.2
    validation_folds: int | None = None
    """Validation hold-outs averaged when tuning (None: `default_folds` of the tuning users)."""
    min_user_items: int = MIN_USER_ITEMS
    tune_users: int | None = DEFAULT_TUNE_USERS
    """Validation folds are carved from this many sampled train users (None: all)."""
    tune_budget_seconds: float | None = None
    """Per model: no tuning trial starts after this long (None: no limit)."""
    eval_users: int | None = DEFAULT_EVAL_USERS
    """Metrics over a seeded sample of this many evaluated users (None: all of them)."""
    checkpoint: Path | None = None
    """Tuning trials' scores are kept here and taken from here (see `checkpoint.TrialLog`)."""
    block_workers: int = field(default_factory=default_block_workers)
    """Threads building item-neighbour blocks (`similarity.block_workers`); the
    results do not depend on it."""


@dataclass
class ModelReport:
    name: str
    metrics: dict[str, float]
    params: dict[str, Param]
    fit_seconds: float
    tune_seconds: float = 0.0
    validation_ndcg: float | None = None
    trials: int = 0
    stopped_by_budget: bool = False
    trials_resumed: int = 0


@dataclass
class EvalReport:
    models: list[ModelReport]
    split: dict[str, int]
    config: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "models": {
                m.name: {
                    **{k: round(v, 6) for k, v in m.metrics.items()},
                    "fit_seconds": round(m.fit_seconds, 3),
                    "tune_seconds": round(m.tune_seconds, 3),
                    "validation_ndcg@10": None
                    if m.validation_ndcg is None
                    else round(m.validation_ndcg, 6),
                    "trials": m.trials,
                    "trials_resumed": m.trials_resumed,
                    "tuning_stopped_by_budget": m.stopped_by_budget,
                    "params": m.params,
                }
                for m in self.models
            },
            "split": self.split,
            "config": self.config,
        }


def _measure(report: ModelReport, split: EvalSplit, vectors: sp.csr_matrix, seed: int) -> None:
    """Fit `report.name` with `report.params` on train, time it, and fill in the metrics."""
    model = make_model(report.name, report.params, seed=seed)
    started = time.perf_counter()
    model.fit(split.train)
    report.fit_seconds = time.perf_counter() - started
    recs = model.recommend(split.users, RECALL_CUTOFF)
    report.metrics = summarise(recs, split.users, split.test, split.test_sizes, vectors)


def _for_model(
    trials: Callable[[str, int, int, int], None] | None, name: str
) -> Callable[[int, int, int], None] | None:
    if trials is None:
        return None
    return lambda done, planned, resumed: trials(name, done, planned, resumed)


def evaluate(
    split: EvalSplit,
    config: EvalConfig = EvalConfig(),
    progress: Callable[[str], None] | None = None,
    trials: Callable[[str, int, int, int], None] | None = None,
) -> EvalReport:
    """Tune (optionally) and fit each model on `split.train`, measure on `split.test`.

    `progress` gets a line per event; `trials(model, done, planned, resumed)` follows
    each model's tuning trial by trial (see `tuning.tune`).

    Tuning uses validation folds carved from train, or from a seeded sample of
    `config.tune_users` train users; the chosen parameters are refitted on all
    of train as they are.
    """
    if config.eval_users is not None:
        split = sample_evaluated(split, config.eval_users, config.seed)
    tune_data = split.train
    if config.tune and config.tune_users is not None:
        tune_data = sample_users(split.train, config.tune_users, config.seed)
    if progress and tune_data is not split.train:
        progress(f"tuning on {tune_data.n_users:,} of {split.train.n_users:,} train users")
    n_folds = config.validation_folds or default_folds(tune_data.n_users)
    folds = [
        holdout_split(
            tune_data, config.validation_fraction, config.seed + 1 + f, config.min_user_items
        )
        for f in range(n_folds if config.tune else 0)
    ]
    vectors = item_vectors_from_train(split.train.matrix)
    log = None
    if folds and config.checkpoint is not None:
        log = TrialLog(config.checkpoint, context_of(folds, config.seed))
        if progress:
            kept = sum(len(log.scores(name)) for name in MODEL_NAMES)
            progress(f"checkpoint {config.checkpoint}: {kept:,} trial scores of this run kept")
    with block_workers(config.block_workers):
        reports = _run_models(split, config, folds, vectors, log, progress, trials)
    return EvalReport(
        reports,
        dict(split.stats),
        {
            "tuned": config.tune,
            "seed": config.seed,
            "validation_fraction": config.validation_fraction,
            "validation_folds": n_folds,
            "tune_users": config.tune_users,
            "users_tuned_on": tune_data.n_users if folds else 0,
            "tune_budget_seconds": config.tune_budget_seconds,
            "eval_users": config.eval_users,
            "checkpoint": None if config.checkpoint is None else str(config.checkpoint),
        },
    )


def _run_models(
    split: EvalSplit,
    config: EvalConfig,
    folds: Sequence[EvalSplit],
    vectors: sp.csr_matrix,
    log: TrialLog | None,
    progress: Callable[[str], None] | None,
    trials: Callable[[str, int, int, int], None] | None,
) -> list[ModelReport]:
    """Each model of `config` tuned on `folds` (if any), fitted on train and measured."""
    reports = []
    results: dict[str, TuningResult] = {}

    def tuned(name: str) -> TuningResult:
        """`name` tuned once; the models it borrows from or starts from are tuned first."""
        if name not in results:
            for source in sources(name):
                tuned(source)
            params = {k: r.params for k, r in results.items()}
            results[name] = tune(
                name,
                folds,
                config.seed,
                grid=grid_for(name, folds),
                progress=progress,
                fixed=borrowed_params(name, params),
                budget_seconds=config.tune_budget_seconds,
                on_trial=_for_model(trials, name),
                starts=seeded_starts(name, params),
                log=log,
            )
        return results[name]

    for name in config.models:
        report = ModelReport(name, {}, {}, 0.0)
        if folds:
            started = time.perf_counter()
            result = tuned(name)
            report.params = result.params
            report.validation_ndcg, report.trials = result.validation_ndcg, result.trials
            report.stopped_by_budget = result.stopped_by_budget
            report.trials_resumed = result.resumed
            report.tune_seconds = time.perf_counter() - started
        _measure(report, split, vectors, config.seed)
        if progress:
            progress(f"{name}: ndcg@10 {report.metrics['ndcg@10']:.4f} params {report.params}")
        reports.append(report)
    return reports
