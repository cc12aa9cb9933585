"""One evaluation run: every chosen model, tuned and fitted on one split, then measured."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import scipy.sparse as sp

from echotune.recommend.cf.registry import MODEL_NAMES, Param, make_model
from echotune.recommend.evaluation.metrics import (
    RECALL_CUTOFF,
    item_vectors_from_train,
    summarise,
)
from echotune.recommend.evaluation.split import MIN_USER_ITEMS, EvalSplit, holdout_split
from echotune.recommend.evaluation.tuning import BORROWED, TuningResult, borrowed_params, tune


@dataclass(frozen=True)
class EvalConfig:
    models: Sequence[str] = MODEL_NAMES
    tune: bool = True
    seed: int = 42
    validation_fraction: float = 0.2
    validation_folds: int = 2
    min_user_items: int = MIN_USER_ITEMS


@dataclass
class ModelReport:
    name: str
    metrics: dict[str, float]
    params: dict[str, Param]
    fit_seconds: float
    tune_seconds: float = 0.0
    validation_ndcg: float | None = None
    trials: int = 0


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


def evaluate(
    split: EvalSplit,
    config: EvalConfig = EvalConfig(),
    progress: Callable[[str], None] | None = None,
) -> EvalReport:
    """Tune (optionally) and fit each model on `split.train`, measure on `split.test`."""
    folds = [
        holdout_split(
            split.train, config.validation_fraction, config.seed + 1 + f, config.min_user_items
        )
        for f in range(config.validation_folds if config.tune else 0)
    ]
    vectors = item_vectors_from_train(split.train.matrix)
    reports = []
    results: dict[str, TuningResult] = {}

    def tuned(name: str) -> TuningResult:
        """`name` tuned once; models that borrow parameters get their source tuned first."""
        if name not in results:
            source = BORROWED.get(name, ("", {}))[0]
            if source:
                tuned(source)
            params = {k: r.params for k, r in results.items()}
            fixed = borrowed_params(name, params)
            results[name] = tune(name, folds, config.seed, progress=progress, fixed=fixed)
        return results[name]

    for name in config.models:
        report = ModelReport(name, {}, {}, 0.0)
        if folds:
            started = time.perf_counter()
            result = tuned(name)
            report.params = result.params
            report.validation_ndcg, report.trials = result.validation_ndcg, result.trials
            report.tune_seconds = time.perf_counter() - started
        _measure(report, split, vectors, config.seed)
        if progress:
            progress(f"{name}: ndcg@10 {report.metrics['ndcg@10']:.4f} params {report.params}")
        reports.append(report)
    return EvalReport(
        reports,
        dict(split.stats),
        {
            "tuned": config.tune,
            "seed": config.seed,
            "validation_fraction": config.validation_fraction,
            "validation_folds": config.validation_folds,
        },
    )
