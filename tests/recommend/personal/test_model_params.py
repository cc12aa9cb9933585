"""Tuned parameters for the production model: read from `echotune eval --json`, checked, kept."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from echotune.cli.main import app
from echotune.errors import InvalidInput
from echotune.recommend.cf.interactions import Interactions
from echotune.recommend.cf.similarity import default_block_workers
from echotune.recommend.personal.model_params import PARAMS_NAME, keep, load_kept, read_params
from echotune.recommend.personal.store import fit_artifact
from echotune.settings import RecommendSettings, Settings
from echotune.wiring import Services, build_services
from tests.api.conftest import cli_env, make_settings

EVAL_OUTPUT = {
    "models": {
        "ease": {"ndcg@10": 0.2, "params": {"lam": 3000.0, "weighting": "log"}},
        "echotune": {
            "ndcg@10": 0.25,
            "params": {"als_weight": 3.0, "lam": 3000.0, "ease_dropout": 1.0, "neighbours": 200,
                       "similarity": "cosine", "weighting": "log", "als_factors": 16,
                       "als_alpha": 5.0, "als_weighting": "confidence"},
        },
    },
    "split": {},
}  # fmt: skip


def _write(tmp_path: Path, doc: object, name: str = "p.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def test_reads_the_echotune_choice_of_an_eval_output_or_a_plain_object(tmp_path: Path) -> None:
    params = read_params(_write(tmp_path, EVAL_OUTPUT))
    assert params == EVAL_OUTPUT["models"]["echotune"]["params"]  # type: ignore[index]
    assert read_params(_write(tmp_path, {"lam": 50, "neighbours": 100.0})) == {
        "lam": 50.0,
        "neighbours": 100,
    }


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"models": {"ease": {"params": {}}}}, "without models.echotune.params"),
        ({"lamb": 1.0}, "unknown parameter(s) lamb; known: als_alpha"),
        ({"lam": "big"}, "lam must be a number"),
        ({"lam": -1}, "lam must be a finite number >= 0"),
        ({"neighbours": 2.5}, "neighbours must be a whole number"),
        ({"similarity": "jaccard"}, "similarity must be one of rp3, cosine"),
        ({"als_weight": True}, "als_weight must be a number"),
        ([1, 2], "expected a JSON object"),
    ],
)
def test_bad_parameters_are_refused_naming_the_file_and_the_problem(
    tmp_path: Path, doc: object, message: str
) -> None:
    path = _write(tmp_path, doc)
    with pytest.raises(InvalidInput) as caught:
        read_params(path)
    assert str(path) in caught.value.message and message in caught.value.message


def test_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text("{lam: 1")
    with pytest.raises(InvalidInput, match="not JSON"):
        read_params(path)


def test_kept_parameters_round_trip_and_empty_goes_back_to_defaults(tmp_path: Path) -> None:
    assert load_kept(tmp_path) == {}
    keep(tmp_path, {"lam": 10.0, "similarity": "cosine"})
    assert load_kept(tmp_path) == {"lam": 10.0, "similarity": "cosine"}
    keep(tmp_path, {})
    assert not (tmp_path / PARAMS_NAME).exists() and load_kept(tmp_path) == {}


def test_the_fitted_artifact_follows_the_parameters() -> None:
    rng = np.random.default_rng(3)
    triples = [(f"u{u}", f"t{t}", float(rng.integers(1, 9)))
               for u in range(60) for t in rng.choice(80, 10, replace=False)]  # fmt: skip
    data = Interactions.from_triples(triples)
    default = fit_artifact(data)
    assert default.latent_weighting == "bm25" and default.latent_bm25 is not None
    assert default.latent_bm25.idf.size == data.n_items
    tuned = fit_artifact(data, {"als_weighting": "confidence", "als_alpha": 5.0, "als_factors": 8})
    assert tuned.latent_weighting == "confidence" and tuned.latent_alpha == 5.0
    assert tuned.item_factors.shape == (data.n_items, 8)
    no_als = fit_artifact(data, {"als_weight": 0.0, "weighting": "binary"})
    assert no_als.item_factors.size == 0 and no_als.weighting == "binary"


def test_train_command_keeps_checked_parameters_until_defaults_are_asked_for(
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    env = {**cli_env(tmp_path), "ECHOTUNE_CATALOG__AUTOLOAD": "false", "COLUMNS": "300"}
    kept = tmp_path / "models" / PARAMS_NAME

    bad = runner.invoke(app, ["train", "--params", str(_write(tmp_path, {"lamb": 1}))], env=env)
    assert bad.exit_code == 1 and "unknown parameter(s) lamb" in bad.output
    assert not kept.exists()

    good = runner.invoke(app, ["train", "--params", str(_write(tmp_path, EVAL_OUTPUT))], env=env)
    assert good.exit_code == 0, good.output
    assert "no plays yet" in good.stdout and "als_weighting=confidence" in good.stdout
    assert json.loads(kept.read_text())["als_alpha"] == 5.0

    again = runner.invoke(app, ["train"], env=env)  # a plain retrain keeps them
    assert again.exit_code == 0 and "ease_dropout=1.0" in again.stdout

    both = runner.invoke(app, ["train", "--params", "x.json", "--default-params"], env=env)
    assert both.exit_code == 1 and "not both" in both.output

    reset = runner.invoke(app, ["train", "--default-params"], env=env)
    assert reset.exit_code == 0 and "defaults" in reset.stdout and not kept.exists()


def test_training_on_more_threads_builds_the_same_model(monkeypatch: pytest.MonkeyPatch) -> None:
    import implicit.cpu.als

    from echotune.recommend.cf import rp3, similarity

    workers: list[int] = []
    als_threads: list[int] = []
    real_map_blocks, real_als = rp3.map_blocks, implicit.cpu.als.AlternatingLeastSquares

    def recording_blocks(*args: Any) -> Any:
        workers.append(similarity._WORKERS.get())
        return real_map_blocks(*args)

    def recording_als(**kwargs: Any) -> Any:
        als_threads.append(kwargs["num_threads"])
        return real_als(**kwargs)

    monkeypatch.setattr(rp3, "map_blocks", recording_blocks)
    monkeypatch.setattr(implicit.cpu.als, "AlternatingLeastSquares", recording_als)
    rng = np.random.default_rng(5)
    triples = [(f"u{u}", f"t{t}", float(rng.integers(1, 9)))
               for u in range(80) for t in rng.choice(120, 12, replace=False)]  # fmt: skip
    data = Interactions.from_triples(triples)
    free, one, two = (
        fit_artifact(data),
        fit_artifact(data, threads=1),
        fit_artifact(data, threads=2),
    )
    # Unnarrowed: blocks on one thread and ALS on implicit's every core (0).
    assert workers == [1, 1, 2] and als_threads == [0, 1, 2]
    for other in (one, two):
        assert (free.weights != other.weights).nnz == 0 and free.weights.nnz > 0
        np.testing.assert_array_equal(free.prior, other.prior)
        np.testing.assert_allclose(free.item_factors, other.item_factors, rtol=1e-5, atol=1e-6)


def test_train_command_reports_its_threads_and_the_server_setting_reaches_the_store(
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    env = {**cli_env(tmp_path), "ECHOTUNE_CATALOG__AUTOLOAD": "false", "COLUMNS": "300"}
    done = runner.invoke(app, ["train", "--threads", "3"], env=env)
    assert done.exit_code == 0, done.output
    header, row = (line for line in done.stdout.splitlines() if line[:1] in "┃│")
    cells = dict(zip(_cells(header), _cells(row), strict=True))
    assert cells["threads"] == "3" and cells["trained"] == "no (no plays yet)"
    default = runner.invoke(app, ["train"], env=env)
    row = next(line for line in default.stdout.splitlines() if line.startswith("│"))
    assert dict(zip(_cells(header), _cells(row), strict=True))["threads"] == str(
        default_block_workers()
    )
    refused = runner.invoke(app, ["train", "--threads", "0"], env=env)
    assert refused.exit_code == 2 and "--threads" in refused.output

    settings = make_settings(tmp_path / "served")
    settings = settings.model_copy(update={"recommend": RecommendSettings(train_threads=2)})
    services = asyncio.run(_built(settings))
    assert services.models.train_threads == 2
    with pytest.raises(ValidationError, match="train_threads"):
        RecommendSettings(train_threads=0)


async def _built(settings: Settings) -> Services:
    services = await build_services(settings)
    await services.storage.close()
    return services


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.replace("┃", "│").strip().strip("│").split("│")]
