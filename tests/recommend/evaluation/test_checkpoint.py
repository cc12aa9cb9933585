"""Tuning trials kept on disk: an interrupted evaluation resumes, runs nothing twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from echotune.errors import InvalidInput
from echotune.recommend.cf.synthetic import SyntheticSpec, synthetic_interactions
from echotune.recommend.evaluation import checkpoint
from echotune.recommend.evaluation.checkpoint import SCORE_SOURCES, TrialLog, context_of
from echotune.recommend.evaluation.grids import GRIDS, Grid
from echotune.recommend.evaluation.split import EvalSplit, holdout_split
from echotune.recommend.evaluation.tuning import TuningResult, tune

SMALL_ECHOTUNE: Grid = {
    "als_weight": (0.0, 0.6),
    "ease_weight": (0.0, 0.5, 1.0),
    "neighbours": (20, 50),
    "prior_weight": (0.0, 0.1),
}


@pytest.fixture(scope="module")
def folds() -> list[EvalSplit]:
    spec = SyntheticSpec(users=150, plays=4_500, items=300, clusters=6, seed=3)
    train = holdout_split(synthetic_interactions(spec), 0.2, seed=5).train
    return [holdout_split(train, 0.2, seed=s) for s in (6, 7)]


def run(
    name: str,
    folds: list[EvalSplit],
    log: TrialLog | None,
    grid: Grid | None = None,
    budget: float | None = None,
) -> tuple[TuningResult, list[str]]:
    """`tune` with its progress lines for trials it ran (resumed trials log none)."""
    lines: list[str] = []
    result = tune(name, folds, grid=grid, progress=lines.append, budget_seconds=budget, log=log)
    return result, [line for line in lines if line.startswith("  trial")]


def reopen(path: Path, folds: list[EvalSplit], seed: int = 42) -> TrialLog:
    return TrialLog(path, context_of(folds, seed))


@pytest.mark.parametrize(("name", "grid"), [("ease", None), ("echotune", SMALL_ECHOTUNE)])
def test_a_rerun_takes_every_score_and_makes_the_same_choice(
    folds: list[EvalSplit], tmp_path: Path, name: str, grid: Grid | None
) -> None:
    path = tmp_path / "trials.jsonl"
    first, ran = run(name, folds, reopen(path, folds), grid)
    assert len(ran) == first.trials > 1 and first.resumed == 0
    assert len(path.read_text(encoding="utf-8").splitlines()) == first.trials
    again, ran_again = run(name, folds, reopen(path, folds), grid)
    assert ran_again == []
    assert again.resumed == again.trials == first.trials
    assert (again.params, again.validation_ndcg) == (first.params, first.validation_ndcg)
    assert len(path.read_text(encoding="utf-8").splitlines()) == first.trials


def test_an_interrupted_search_resumes_where_it_stopped(
    folds: list[EvalSplit], tmp_path: Path
) -> None:
    path = tmp_path / "trials.jsonl"
    # A budget of 0 stops the itemknn grid after its first group of neighbour
    # counts, as an interruption after the first group would.
    stopped, ran = run("itemknn", folds, reopen(path, folds), budget=0.0)
    group = len(GRIDS["itemknn"]["neighbours"])
    assert stopped.stopped_by_budget and len(ran) == group
    resumed, ran_now = run("itemknn", folds, reopen(path, folds))
    whole, _ = run("itemknn", folds, None)
    assert resumed.resumed == group and len(ran_now) == whole.trials - group
    assert (resumed.params, resumed.validation_ndcg) == (whole.params, whole.validation_ndcg)

    # Every trial has the score it has in an uninterrupted search.
    def scores(result: TuningResult) -> dict[tuple[tuple[str, object], ...], float]:
        return {tuple(sorted(params.items())): score for params, score in result.history}

    assert scores(resumed) == scores(whole)
    assert len(path.read_text(encoding="utf-8").splitlines()) == whole.trials


def test_progress_counts_the_trials_taken_apart_from_those_run(
    folds: list[EvalSplit], tmp_path: Path
) -> None:
    """So that an estimate of the time left is made from trials that took time."""
    path = tmp_path / "trials.jsonl"
    group = len(GRIDS["itemknn"]["neighbours"])
    run("itemknn", folds, reopen(path, folds), budget=0.0)
    calls: list[tuple[int, int, int]] = []
    result = tune(
        "itemknn",
        folds,
        log=reopen(path, folds),
        on_trial=lambda done, planned, resumed: calls.append((done, planned, resumed)),
    )
    assert calls[0] == (0, result.trials, 0)
    assert calls[-1] == (result.trials, result.trials, group)
    # The first group's trials are taken one by one before any trial is run.
    assert [c[2] for c in calls[1 : group + 1]] == list(range(1, group + 1))
    assert all(resumed == group for _, _, resumed in calls[group + 1 :])


def test_scores_of_another_context_are_kept_and_not_taken(
    folds: list[EvalSplit], tmp_path: Path
) -> None:
    path = tmp_path / "trials.jsonl"
    first, _ = run("ease", folds, reopen(path, folds))
    assert reopen(path, folds, seed=43).scores("ease") == {}
    assert reopen(path, folds[:1]).scores("ease") == {}
    other, ran = run("ease", folds[:1], reopen(path, folds[:1]))
    assert other.resumed == 0 and len(ran) == other.trials
    assert len(path.read_text(encoding="utf-8").splitlines()) == first.trials + other.trials
    assert len(reopen(path, folds).scores("ease")) == first.trials


def test_a_torn_last_line_is_ignored_and_a_bad_line_refused(
    folds: list[EvalSplit], tmp_path: Path
) -> None:
    path = tmp_path / "trials.jsonl"
    first, _ = run("ease", folds, reopen(path, folds))
    lines = path.read_text(encoding="utf-8").splitlines()
    # A run killed in the middle of a write leaves a last line without its end:
    # it is cut off, so the lines the resumed run appends stay whole.
    path.write_text("\n".join(lines) + "\n" + lines[-1][:25], encoding="utf-8")
    resumed = reopen(path, folds)
    assert len(resumed.scores("ease")) == first.trials
    assert path.read_text(encoding="utf-8").splitlines() == lines
    resumed.record("ease", (("lam", 7.0), ("weighting", "binary")), 0.5)
    assert len(reopen(path, folds).scores("ease")) == first.trials + 1
    path.write_text("\n".join([lines[0], "{not json", *lines[1:]]) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"trials\.jsonl:2: not a checkpoint line"):
        reopen(path, folds)
    entry = json.loads(lines[0])
    assert set(entry) == {"context", "model", "params", "score"} and entry["model"] == "ease"


def test_a_checkpoint_that_cannot_be_written_is_refused(
    folds: list[EvalSplit], tmp_path: Path
) -> None:
    with pytest.raises(InvalidInput, match="cannot write the checkpoint .*missing"):
        reopen(tmp_path / "missing" / "trials.jsonl", folds)


def test_the_context_covers_the_code_a_score_depends_on_and_not_the_search() -> None:
    root = Path(checkpoint.__file__).resolve().parents[1]
    covered = {str(p.relative_to(root)) for pattern in SCORE_SOURCES for p in root.glob(pattern)}
    assert {"cf/echotune_model.py", "cf/als.py", "evaluation/trial.py"} <= covered
    assert {"evaluation/metrics.py", "evaluation/split.py"} <= covered
    assert "evaluation/tuning.py" not in covered and "evaluation/checkpoint.py" not in covered
    assert "evaluation/grids.py" not in covered
