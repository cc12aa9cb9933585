"""Hyper-parameter search and the evaluation runner on small synthetic listening."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pytest
import scipy.sparse as sp

from echotune.recommend.cf import neighbour_parts
from echotune.recommend.cf.echotune_model import EchoTuneModel
from echotune.recommend.cf.registry import Param
from echotune.recommend.cf.synthetic import SyntheticSpec, synthetic_interactions
from echotune.recommend.evaluation.grids import (
    GRIDS,
    INERT,
    STAGED,
    borrowed_params,
    grid_for,
    seeded_starts,
    sources,
)
from echotune.recommend.evaluation.runner import EvalConfig, default_folds, evaluate
from echotune.recommend.evaluation.split import (
    EvalSplit,
    holdout_split,
    sample_evaluated,
    sample_users,
)
from echotune.recommend.evaluation.trial import validation_score
from echotune.recommend.evaluation.tuning import (
    _coordinate_ascent,
    _defaults_in_grid,
    _staged_grid,
    planned_trials,
    tune,
)


@pytest.fixture(scope="module")
def split() -> EvalSplit:
    spec = SyntheticSpec(users=200, plays=6_000, items=400, clusters=8, seed=11)
    return holdout_split(synthetic_interactions(spec), 0.2, seed=5)


def test_several_folds_are_averaged(split: EvalSplit) -> None:
    folds = [holdout_split(split.train, 0.2, seed=s) for s in (1, 2)]
    result = tune("itemknn", folds, grid={"neighbours": (30,)})
    each = [validation_score("itemknn", {"neighbours": 30}, f, 42) for f in folds]
    assert result.validation_ndcg == pytest.approx(sum(each) / 2)
    assert each[0] != each[1]


def test_tuning_over_five_folds_builds_each_folds_parts_once(
    split: EvalSplit, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each trial fits the five folds in turn; parts a sweep does not change
    # (here EASE and the neighbours) must survive until the next trial.
    built: list[str] = []

    def counting(part: str, real: Callable[..., sp.csr_matrix]) -> Callable[..., sp.csr_matrix]:
        def counted(*args: object) -> sp.csr_matrix:
            built.append(part)
            return real(*args)

        return counted

    monkeypatch.setattr(EchoTuneModel, "_ease", counting("_ease", EchoTuneModel._ease))
    for builder in ("rp3_neighbours", "cosine_neighbours", "cosine_lists"):
        real = getattr(neighbour_parts, builder)
        monkeypatch.setattr(neighbour_parts, builder, counting("neighbours", real))
    folds = [holdout_split(split.train, 0.2, seed=s) for s in range(5)]
    grid = {"prior_weight": (0.0, 0.02, 0.1)}
    result = tune("echotune", folds, grid=grid, fixed={"als_weight": 0.0, "ease_weight": 0.5})
    assert result.trials == 3
    assert built.count("_ease") == 5 and built.count("neighbours") == 5


def test_full_grid_picks_the_best_validation_score(split: EvalSplit) -> None:
    grid = {"neighbours": (5, 50), "shrink": (0.0, 100.0)}
    result = tune("itemknn", split, grid=grid)
    assert result.trials == 4 and len(result.history) == 4
    best_params, best_score = max(result.history, key=lambda h: h[1])
    assert result.params == best_params and result.validation_ndcg == best_score
    assert validation_score("itemknn", result.params, split, 42) == pytest.approx(best_score)


def test_large_grids_use_coordinate_ascent(split: EvalSplit) -> None:
    grid = {"lam": (1.0, 10.0, 100.0, 1000.0), "weighting": ("binary", "log", "raw")}
    full = tune("ease", split, grid=grid)
    assert full.trials == 12  # small enough: searched whole
    messages: list[str] = []
    big = {"ease_weight": (0.0, 0.5, 1.0), "lam": (10.0, 100.0), "neighbours": (20, 50)}
    big |= {"shrink": (0.0, 10.0), "prior_weight": (0.0, 0.05), "weighting": ("binary", "log")}
    big |= {"max_fanout": (100, 200, 300, 400), "als_weight": (0.0,)}
    # 3*2*2*2*2*2*4 = 384 points; the ALS term is left out to keep this test fast.
    calls: list[tuple[int, int]] = []
    result = tune("echotune", split, grid=big, progress=messages.append, on_trial=_record(calls))
    assert result.trials < 30 and len(messages) == result.trials
    assert result.validation_ndcg == max(score for _, score in result.history)
    # Progress: a call before the first trial, one per trial, counting up to a
    # bound the search stays within, and a last call that fills the bar with
    # the trials actually run.
    planned = planned_trials("echotune", big)
    sweep = sum(len(values) - 1 for values in big.values())  # new points per sweep
    middle = {k: v[len(v) // 2] for k, v in big.items()}
    starts = 1 if _defaults_in_grid("echotune", big) == middle else 2
    assert result.trials <= planned == starts * (1 + 2 * sweep)
    assert [done for done, _ in calls[:-1]] == list(range(result.trials + 1))
    assert all(total == planned for _, total in calls[:-1])
    assert calls[-1] == (result.trials, result.trials)


def _record(calls: list[tuple[int, int]]) -> Callable[[int, int, int], None]:
    return lambda done, planned, _resumed: calls.append((done, planned))


def test_full_grid_progress_counts_every_point(split: EvalSplit) -> None:
    calls: list[tuple[int, int]] = []
    grid = {"neighbours": (5, 50), "shrink": (0.0, 100.0)}
    result = tune("itemknn", split, grid=grid, on_trial=_record(calls))
    # itemknn's grid is scored a group of neighbour counts at a time (here 2).
    assert calls == [(0, 4), (2, 4), (4, 4), (4, 4)] and result.trials == 4


def test_every_tuned_model_has_a_grid() -> None:
    assert set(GRIDS) == {"popularity", "itemknn", "implicit-als", "ease", "echotune"}


def test_evaluate_compares_models_on_one_split(split: EvalSplit) -> None:
    config = EvalConfig(models=("popularity", "itemknn", "ease"), tune=False)
    report = evaluate(split, config)
    by_name = {m.name: m for m in report.models}
    assert list(by_name) == ["popularity", "itemknn", "ease"]
    assert by_name["ease"].metrics["ndcg@10"] > by_name["popularity"].metrics["ndcg@10"]
    assert by_name["popularity"].metrics["coverage"] < by_name["itemknn"].metrics["coverage"]
    data = report.to_json()
    assert data["split"] == split.stats
    assert data["config"] == {
        "tuned": False,
        "seed": 42,
        "validation_fraction": 0.2,
        "validation_folds": 5,
        "tune_users": 10_000,
        "users_tuned_on": 0,
        "tune_budget_seconds": None,
        "eval_users": 50_000,
        "checkpoint": None,
    }


def test_evaluate_with_tuning_records_the_choice(split: EvalSplit) -> None:
    report = evaluate(split, EvalConfig(models=("ease",), tune=True))
    ease = report.models[0]
    assert ease.trials == len(GRIDS["ease"]["lam"]) * len(GRIDS["ease"]["weighting"])
    assert ease.params["lam"] in GRIDS["ease"]["lam"]
    assert ease.validation_ndcg is not None and ease.tune_seconds > 0


def test_fixed_parameters_are_passed_to_every_trial_and_not_searched(split: EvalSplit) -> None:
    grid = {"neighbours": (5, 50), "shrink": (0.0, 100.0)}
    result = tune("itemknn", split, grid=grid, fixed={"shrink": 10.0})
    assert result.trials == 2
    assert all(params["shrink"] == 10.0 for params, _ in result.history)
    assert result.params["shrink"] == 10.0 and result.params["neighbours"] in (5, 50)
    assert validation_score("itemknn", result.params, split, 42) == pytest.approx(
        result.validation_ndcg
    )


def test_echotune_borrows_the_tuned_als_parameters_under_its_own_names() -> None:
    als = {"factors": 512, "regularization": 100.0, "alpha": 5.0, "weighting": "confidence"}
    assert borrowed_params("echotune", {"implicit-als": als, "ease": {"lam": 5.0}}) == {
        "als_factors": 512,
        "als_regularization": 100.0,
        "als_alpha": 5.0,
        "als_weighting": "confidence",
    }
    assert borrowed_params("echotune", {}) == {}
    # What the source did not search is its default (ImplicitALS: alpha 2, bm25).
    assert borrowed_params("echotune", {"implicit-als": {"factors": 8}}) == {
        "als_factors": 8,
        "als_regularization": 0.05,
        "als_alpha": 2.0,
        "als_weighting": "bm25",
    }
    assert borrowed_params("ease", {"implicit-als": als}) == {}


def test_the_runner_tunes_als_once_and_hands_its_choice_to_echotune(
    split: EvalSplit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(GRIDS, "implicit-als", {"factors": (8, 16), "regularization": (0.1, 10.0)})
    monkeypatch.setitem(GRIDS, "echotune", {"als_weight": (0.0, 0.5), "ease_weight": (0.5,)})
    # echotune first: ALS is tuned for it, then reused (not re-tuned) for its own row.
    report = evaluate(split, EvalConfig(models=("echotune", "implicit-als"), tune=True))
    echotune, als = report.models
    assert als.trials == 4
    assert echotune.trials == 2
    assert echotune.params["als_factors"] == als.params["factors"]
    assert echotune.params["als_regularization"] == als.params["regularization"]
    assert echotune.params["als_weighting"] == "bm25" and echotune.params["als_alpha"] == 2.0


def test_echotune_also_starts_from_the_tuned_itemknn_and_ease_as_blends() -> None:
    assert sources("echotune") == ["implicit-als", "itemknn", "ease"]
    assert sources("ease") == []
    tuned = {"itemknn": {"neighbours": 500, "shrink": 50.0}, "ease": {"lam": 3000.0}}
    knn, ease = seeded_starts("echotune", tuned)
    # What the source did not search is its default (binary weighting for both).
    assert knn == {
        "als_weight": 0.0,
        "ease_weight": 0.0,
        "similarity": "cosine",
        "prior_weight": 0.0,
        "neighbours": 500,
        "shrink": 50.0,
        "weighting": "binary",
    }
    # Plain EASE: the blend's DLAE dropout is off there.
    assert ease == {
        "als_weight": 0.0,
        "ease_weight": 1.0,
        "ease_dropout": 0.0,
        "prior_weight": 0.0,
        "lam": 3000.0,
        "weighting": "binary",
    }
    assert seeded_starts("echotune", {"ease": {"lam": 5.0}})[0]["lam"] == 5.0
    assert seeded_starts("itemknn", tuned) == []


def test_the_blend_at_a_seeded_start_is_the_baseline_it_came_from(split: EvalSplit) -> None:
    knn = {"neighbours": 50, "shrink": 10.0, "weighting": "log"}
    ease = {"lam": 50.0, "weighting": "binary"}
    knn_start, ease_start = seeded_starts("echotune", {"itemknn": knn, "ease": ease})
    assert validation_score("echotune", knn_start, split, 42) == pytest.approx(
        validation_score("itemknn", knn, split, 42)
    )
    # EASE inside the blend keeps each item's 500 largest weights: all of them here.
    assert validation_score("echotune", ease_start, split, 42) == pytest.approx(
        validation_score("ease", ease, split, 42)
    )


def test_a_start_off_the_grid_is_left_only_for_a_better_value() -> None:
    def score(params: dict[str, int | float | str]) -> float:
        return -abs(float(params["x"]) - 7.0) - abs(float(params["y"]) - 1.0)

    grid = {"x": (1, 2, 3), "y": (0, 1, 2)}
    assert _coordinate_ascent(grid, score, {"x": 7, "y": 0}) == {"x": 7, "y": 1}
    assert _coordinate_ascent(grid, score, {"x": 0, "y": 0}) == {"x": 3, "y": 1}
    # The progress bound counts the extra option of each off-grid value.
    assert planned_trials("ease", {"lam": tuple(range(11)), "weighting": ("binary", "log")}) == 22
    big = {"a": tuple(range(11)), "b": tuple(range(11))}
    assert planned_trials("ease", big, [{"a": 99}]) == planned_trials("ease", big) + 1 + 2 * 21


def test_the_runner_hands_the_tuned_baselines_to_echotunes_search_as_starts(
    split: EvalSplit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(GRIDS, "implicit-als", {"factors": (8,), "regularization": (1.0,)})
    monkeypatch.setitem(GRIDS, "itemknn", {"neighbours": (30, 60), "shrink": (5.0, 40.0)})
    monkeypatch.setitem(GRIDS, "ease", {"lam": (20.0, 400.0)})
    blend = {"als_weight": (0.0,), "ease_weight": (0.0, 0.5, 1.0), "lam": (1.0, 100.0)}
    blend |= {"similarity": ("cosine", "rp3"), "neighbours": (10, 100), "shrink": (0.0, 100.0)}
    blend |= {"weighting": ("binary", "log"), "prior_weight": (0.0, 0.1)}
    monkeypatch.setitem(GRIDS, "echotune", blend)  # 192 points: coordinate ascent
    planned: dict[str, int] = {}
    config = EvalConfig(models=("itemknn", "ease", "echotune"))
    report = evaluate(split, config, trials=lambda name, _, n, __: planned.setdefault(name, n))
    knn, ease, echotune = report.models
    starts = seeded_starts("echotune", {"itemknn": knn.params, "ease": ease.params})
    assert planned["echotune"] == planned_trials("echotune", blend, starts)
    assert planned["echotune"] > planned_trials("echotune", blend)
    assert echotune.validation_ndcg is not None
    for source in (knn, ease):
        assert source.validation_ndcg is not None
        assert echotune.validation_ndcg >= source.validation_ndcg - 1e-9
    # Each start is scored as it is, its off-grid values (neighbours 30/60, λ 20/400) included.
    result = tune("echotune", split, grid=blend, starts=starts)
    tried = [params for params, _ in result.history]
    for start in starts:  # (as far as this small grid searches: it leaves out ease_dropout)
        on_grid = {k: v for k, v in start.items() if k in blend}
        assert any(all(params.get(k) == v for k, v in on_grid.items()) for params in tried)


def test_coordinate_ascent_can_stop_at_a_local_best_so_tuning_tries_two_starts() -> None:
    grid = {"a": (0, 1, 2), "b": (0, 1, 2)}
    # A ridge: (2, 2) is best, but from the middle (1, 1) no single step improves.
    table = {(1, 1): 0.5, (2, 2): 0.9, (2, 0): 0.2, (0, 0): 0.1}

    def score(params: dict[str, int | float | str]) -> float:
        return table.get((int(params["a"]), int(params["b"])), 0.0)

    assert _coordinate_ascent(grid, score, {"a": 1, "b": 1}) == {"a": 1, "b": 1}
    assert _coordinate_ascent(grid, score, {"a": 2, "b": 0}) == {"a": 2, "b": 2}


def test_the_second_start_is_the_models_defaults_where_they_are_on_the_grid() -> None:
    grid = GRIDS["echotune"]
    start = _defaults_in_grid("echotune", grid)
    assert start["ease_weight"] == 0.25 and start["similarity"] == "rp3"
    assert start["lam"] == 250.0 and start["weighting"] == "log"
    assert start["neighbours"] == 200  # the default (100) is off this grid: the middle value


def test_a_spent_budget_stops_the_search_with_the_best_finished_trial(split: EvalSplit) -> None:
    grid = {"lam": (5.0, 50.0, 100.0), "weighting": ("binary", "log")}
    result = tune("ease", split, grid=grid, budget_seconds=0.0)
    assert result.trials == 1 and result.stopped_by_budget
    assert result.params == {"lam": 5.0, "weighting": "binary"}
    assert result.validation_ndcg == pytest.approx(
        validation_score("ease", result.params, split, 42)
    )
    whole = tune("ease", split, grid=grid, budget_seconds=3600.0)
    assert whole.trials == 6 and not whole.stopped_by_budget


def test_item_knn_grid_builds_neighbours_once_per_fold_and_group(
    split: EvalSplit, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Trials that differ only in the neighbour count share one build per fold,
    # at the largest count; the smaller ones are cut from it. The scores are
    # those of fitting each trial on its own, and so is the choice.
    built: list[int] = []

    def counting(real: Callable[..., sp.csr_matrix]) -> Callable[..., sp.csr_matrix]:
        def counted(x: sp.csr_matrix, k: int, shrink: float) -> sp.csr_matrix:
            built.append(k)
            return real(x, k, shrink)

        return counted

    for builder in ("cosine_neighbours", "cosine_lists"):
        monkeypatch.setattr(neighbour_parts, builder, counting(getattr(neighbour_parts, builder)))
    folds = [holdout_split(split.train, 0.2, seed=s) for s in (1, 2, 3)]
    grid = {"neighbours": (5, 20, 80), "shrink": (0.0, 50.0), "weighting": ("binary", "log")}
    calls: list[tuple[int, int]] = []
    result = tune("itemknn", folds, grid=grid, on_trial=_record(calls))
    assert built == [80] * 3 * 4  # 3 folds x 4 (shrink, weighting) groups
    built.clear()

    def on_its_own(params: dict[str, Param]) -> float:
        return sum(validation_score("itemknn", params, f, 42) for f in folds) / 3

    alone = {tuple(sorted(p.items())): on_its_own(p) for p, _ in result.history}
    assert len(alone) == 12 and len(built) == 36
    assert {tuple(sorted(p.items())): v for p, v in result.history} == alone
    best = max(alone.values())
    in_grid_order = [dict(zip(grid, c, strict=True)) for c in itertools.product(*grid.values())]
    first_best = next(p for p in in_grid_order if alone[tuple(sorted(p.items()))] == best)
    assert result.params == first_best and result.validation_ndcg == best
    # Progress once per group of neighbour counts: its trials end together.
    assert [done for done, _ in calls] == [0, 3, 6, 9, 12, 12] and calls[0][1] == 12


def test_a_spent_budget_stops_the_item_knn_grid_after_its_first_group(split: EvalSplit) -> None:
    # The first group of neighbour counts runs whole (one build serves it).
    grid = {"neighbours": (5, 50, 100), "shrink": (0.0, 100.0)}
    result = tune("itemknn", split, grid=grid, budget_seconds=0.0)
    assert result.trials == 3 and result.stopped_by_budget
    assert {p["shrink"] for p, _ in result.history} == {0.0}
    assert result.validation_ndcg == max(v for _, v in result.history)
    whole = tune("itemknn", split, grid=grid, budget_seconds=3600.0)
    assert whole.trials == 6 and not whole.stopped_by_budget


def test_coordinate_ascent_under_a_spent_budget_keeps_its_one_trial(split: EvalSplit) -> None:
    result = tune("echotune", split, budget_seconds=0.0, fixed={"als_weight": 0.0})
    assert result.trials == 1 and result.stopped_by_budget
    assert result.validation_ndcg > 0


def test_the_runner_tunes_on_a_user_sample_and_refits_on_all_users(split: EvalSplit) -> None:
    config = EvalConfig(models=("ease",), tune_users=100, validation_folds=1)
    report = evaluate(split, config).to_json()
    assert report["config"]["users_tuned_on"] == 100  # type: ignore[index]
    # The choice is the one tuning makes on the same fold of the same sample.
    sample = sample_users(split.train, 100, config.seed)
    fold = holdout_split(sample, config.validation_fraction, config.seed + 1)
    expected = tune("ease", [fold], config.seed)
    ease = report["models"]["ease"]  # type: ignore[index]
    assert ease["params"] == expected.params
    assert ease["validation_ndcg@10"] == pytest.approx(expected.validation_ndcg, abs=1e-6)
    assert ease["tuning_stopped_by_budget"] is False
    # ... and the test score is that choice's, as it is, fitted on all train users.
    on_all = validation_score("ease", expected.params, split, config.seed)
    assert ease["ndcg@10"] == pytest.approx(on_all, abs=1e-6)
    everyone = evaluate(split, EvalConfig(models=("ease",), tune_users=None, validation_folds=1))
    assert everyone.to_json()["config"]["users_tuned_on"] == split.train.n_users  # type: ignore[index]


def test_small_data_gets_more_validation_folds() -> None:
    assert [default_folds(n) for n in (0, 200, 1_000, 1_300, 1_892, 2_500, 10_000, 10**6)] == [
        5,
        5,
        5,
        4,
        3,
        2,
        2,
        2,
    ]


def test_metrics_can_average_over_a_sample_of_the_evaluated_users(split: EvalSplit) -> None:
    config = EvalConfig(models=("itemknn",), tune=False, eval_users=40)
    report = evaluate(split, config)
    assert report.split["users_evaluated"] == 40
    assert report.split["users_with_test_items"] == split.users.size
    sampled = sample_evaluated(split, 40, config.seed)
    ndcg = validation_score("itemknn", {}, sampled, config.seed)
    assert report.models[0].metrics["ndcg@10"] == pytest.approx(ndcg)
    everyone = evaluate(split, EvalConfig(models=("itemknn",), tune=False, eval_users=None))
    assert everyone.split["users_evaluated"] == split.users.size
    assert everyone.models[0].metrics["ndcg@10"] != pytest.approx(ndcg)


def test_als_grid_is_searched_whole_only_at_its_cheapest_factors() -> None:
    """Larger factor counts try every regularization, for the two best alpha x weighting
    settings of the size below; the best regularization may move far with the size."""
    grid = GRIDS["implicit-als"]
    regs = list(grid["regularization"])
    scored: list[dict[str, object]] = []

    def score(p: dict[str, object]) -> float:
        if p not in scored:
            scored.append(dict(p))
        # The best regularization is 0.1 at 32 factors but 30 above (as on the
        # sessions, where it moved from 0.1 to 10); alpha 5 and confidence help.
        target = 0 if p["factors"] == 32 else 4
        reg = regs.index(p["regularization"])  # type: ignore[arg-type]
        value = 1.0 - abs(reg - target) * 0.1 + float(p["factors"]) / 1000  # type: ignore[arg-type]
        bonus = (0.05 if p["alpha"] == 5.0 else 0) + (0.02 if p["weighting"] == "confidence" else 0)
        return value + bonus

    best = _staged_grid(grid, score, *STAGED["implicit-als"])
    assert best == {"factors": 512, "regularization": 30.0, "alpha": 5.0, "weighting": "confidence"}
    first = [p for p in scored if p["factors"] == 32]
    assert len(first) == 7 * 2 * 2  # every regularization x alpha x weighting
    for size in (128, 512):
        at = [p for p in scored if p["factors"] == size]
        assert len(at) == 2 * 7
        assert {p["regularization"] for p in at} == set(regs)
        assert {(p["alpha"], p["weighting"]) for p in at} == {(5.0, "confidence"), (5.0, "bm25")}
    assert len(scored) == 56 == planned_trials("implicit-als", grid)
    assert list(best) == list(grid)  # parameters in the grid's order, as a full search gives


def test_staged_search_runs_through_tune_with_its_planned_count(split: EvalSplit) -> None:
    grid = {
        "factors": (4, 8),
        "regularization": (0.1, 10.0),
        "alpha": (1.0, 2.0, 5.0),
    }
    result = tune("implicit-als", split, grid=grid)
    assert result.trials == planned_trials("implicit-als", grid) == 6 + 2 * 2
    assert len([p for p, _ in result.history if p["factors"] == 8]) == 4
    assert result.validation_ndcg == max(v for _, v in result.history)


# Other values of the ALS term's parameters, which are not on the blend's grid.
ALS_VALUES: dict[str, tuple[Param, ...]] = {
    "als_factors": (8, 16),
    "als_regularization": (0.1, 10.0),
    "als_alpha": (1.0, 5.0),
    "als_weighting": ("bm25", "confidence"),
    "candidates": (50, 300),
}
INERT_BASES: list[dict[str, Param]] = [
    {"ease_weight": 0.0, "similarity": "cosine", "als_weight": 0.5},
    {"ease_weight": 1.0, "similarity": "rp3", "als_weight": 0.5},
    {"ease_weight": 0.5, "similarity": "rp3", "als_weight": 0.0},
    {"ease_weight": 0.5, "similarity": "cosine", "als_weight": 0.5},
]


def _lists(params: dict[str, Param], split: EvalSplit) -> tuple[np.ndarray, np.ndarray]:
    model = EchoTuneModel(**{"als_factors": 8, **params})  # type: ignore[arg-type]
    model.fit(split.train)
    users = np.arange(split.train.n_users)
    return model.recommend(users, 20), np.stack([model.score(int(u)) for u in users[:20]])


@pytest.mark.parametrize("base", INERT_BASES, ids=lambda b: "-".join(map(str, b.values())))
def test_parameters_tuning_treats_as_inert_change_nothing(
    base: dict[str, Param], split: EvalSplit
) -> None:
    # Tuning scores one trial for all the settings that differ only in these
    # (INERT): the model must give the very same lists and scores for them.
    inert = INERT["echotune"](base)
    assert inert
    values = {**GRIDS["echotune"], **ALS_VALUES}
    lists, scores = _lists(base, split)
    for name in sorted(inert & values.keys()):
        for value in values[name][:1] + values[name][-1:]:
            other_lists, other_scores = _lists({**base, name: value}, split)
            assert np.array_equal(other_lists, lists), (name, value)
            assert np.array_equal(other_scores, scores), (name, value)


def test_parameters_not_inert_there_do_change_the_model(split: EvalSplit) -> None:
    # The contrast that makes the test above mean something: at a = 0.5 with
    # RP3 and an ALS term, λ, α and the ALS factors all move the scores.
    base: dict[str, Param] = {"ease_weight": 0.5, "similarity": "rp3", "als_weight": 0.5}
    assert not INERT["echotune"](base) & {"lam", "rp3_alpha", "als_factors"}
    _, scores = _lists(base, split)
    for change in ({"lam": 3000.0}, {"rp3_alpha": 0.5}, {"als_factors": 16}):
        assert not np.array_equal(_lists({**base, **change}, split)[1], scores), change


def test_trials_differing_only_in_inert_parameters_run_once(
    split: EvalSplit, monkeypatch: pytest.MonkeyPatch
) -> None:
    grid: dict[str, tuple[Param, ...]] = {
        "ease_weight": (0.0, 0.5, 1.0),
        "lam": (10.0, 1000.0),
        "similarity": ("cosine", "rp3"),
        "shrink": (0.0, 100.0),
        "rp3_alpha": (0.5, 1.0),
    }
    fixed = {"als_weight": 0.0}
    shared = tune("echotune", split, grid=grid, fixed=fixed)
    monkeypatch.setattr("echotune.recommend.evaluation.tuning.INERT", {})
    every = tune("echotune", split, grid=grid, fixed=fixed)
    # The same choice and score, from fewer fits: of the 48 grid points, a = 0
    # ignores λ, a = 1 the neighbours, cosine α and RP3 the shrink.
    assert every.trials == 48 and shared.trials == 4 + 2 * 2 * 2 + 2
    assert shared.params == every.params
    assert shared.validation_ndcg == every.validation_ndcg


def test_tail_weight_is_searched_only_where_ease_leaves_items_out(
    split: EvalSplit, monkeypatch: pytest.MonkeyPatch
) -> None:
    from echotune.recommend.evaluation import grids

    # 200 listeners, 400 items: EASE's dual form covers every item, no tail.
    assert "tail_weight" not in grid_for("echotune", [split])
    assert grid_for("echotune", [split]) == {
        k: v for k, v in GRIDS["echotune"].items() if k != "tail_weight"
    }
    # More listeners than items and a head of 30: most items are tail.
    spec = SyntheticSpec(users=400, plays=12_000, items=150, clusters=5, seed=4)
    primal = holdout_split(synthetic_interactions(spec), 0.2, seed=5)
    monkeypatch.setattr(grids, "DEFAULT_MAX_ITEMS", 30)
    assert grid_for("echotune", [split, primal])["tail_weight"] == GRIDS["echotune"]["tail_weight"]
    assert grid_for("ease", [primal]) == GRIDS["ease"]
    # And there it moves the validation score: each value a trial of its own.
    fixed: dict[str, Param] = {"max_items": 30, "ease_weight": 0.5, "als_weight": 0.0}
    result = tune("echotune", primal, grid={"tail_weight": (1.0, 2.0)}, fixed=fixed)
    assert result.trials == 2
    scores = {t: validation_score("echotune", {**fixed, "tail_weight": t}, primal, 42)
              for t in (1.0, 2.0)}  # fmt: skip
    assert scores[1.0] != scores[2.0]
    assert result.validation_ndcg == max(scores.values())


def test_the_first_start_leaves_the_tail_as_it_was() -> None:
    # A budget may end before t is swept: the first start must be the blend without t.
    from echotune.recommend.evaluation.tuning import _starts

    first = _starts("echotune", GRIDS["echotune"])[0]
    assert first["tail_weight"] == 1.0 == EchoTuneModel().tail_weight
    assert sorted(GRIDS["echotune"]["tail_weight"]) == [1.0, 1.5, 2.0, 3.0]
