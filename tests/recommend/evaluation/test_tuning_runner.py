"""Hyper-parameter search and the evaluation runner on small synthetic listening."""

from __future__ import annotations

import pytest

from echotune.recommend.cf.synthetic import SyntheticSpec, synthetic_interactions
from echotune.recommend.evaluation.runner import EvalConfig, evaluate
from echotune.recommend.evaluation.split import EvalSplit, holdout_split
from echotune.recommend.evaluation.tuning import GRIDS, tune, validation_score


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
    result = tune("echotune", split, grid=big, progress=messages.append)
    assert result.trials < 30 and len(messages) == result.trials
    assert result.validation_ndcg == max(score for _, score in result.history)


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
        "validation_folds": 2,
    }


def test_evaluate_with_tuning_records_the_choice(split: EvalSplit) -> None:
    report = evaluate(split, EvalConfig(models=("ease",), tune=True))
    ease = report.models[0]
    assert ease.trials == len(GRIDS["ease"]["lam"]) * len(GRIDS["ease"]["weighting"])
    assert ease.params["lam"] in GRIDS["ease"]["lam"]
    assert ease.validation_ndcg is not None and ease.tune_seconds > 0
