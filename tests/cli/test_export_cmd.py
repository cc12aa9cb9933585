"""`echotune export plays FILE` through the real CLI on a real SQLite store."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from typer.testing import CliRunner

from echotune.cli.main import app
from echotune.recommend.cf.files import read_interactions
from echotune.recommend.cf.interactions import Interactions
from echotune.settings import Settings
from echotune.wiring import build_services
from tests.api.conftest import cli_env
from tests.listening.conftest import AUDIO_2022, SAMPLE

runner = CliRunner()


def _env(tmp_path: Path) -> dict[str, str]:
    return {**cli_env(tmp_path / "var"), "ECHOTUNE_CATALOG__AUTOLOAD": "false", "COLUMNS": "200"}


def _trained_on(data_dir: Path) -> Interactions:
    """The interactions the model store trains on."""

    async def read() -> Interactions:
        settings = Settings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]
        services = await build_services(settings)
        try:
            return await services.models._interactions()
        finally:
            await services.close()

    return asyncio.run(read())


def test_exported_plays_are_what_training_learns_from_and_eval_reads_them(tmp_path: Path) -> None:
    env = _env(tmp_path)
    for user, files in (("carol", SAMPLE), ("dave", (AUDIO_2022,))):
        done = runner.invoke(
            app, ["import", "history", *map(str, files), "--user", user, "--no-train"], env=env
        )
        assert done.exit_code == 0, done.output
    out = tmp_path / "plays.tsv.gz"
    exported = runner.invoke(app, ["export", "plays", str(out)], env=env)
    assert exported.exit_code == 0, exported.output
    assert "listeners" in exported.output and str(out) in exported.output

    read, trained = read_interactions(out), _trained_on(tmp_path / "var")
    assert read.user_ids == trained.user_ids and read.item_ids == trained.item_ids
    assert len(read.user_ids) == 2 and read.nnz == trained.nnz > 10
    assert (read.matrix != trained.matrix).nnz == 0
    rows = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in
            exported.output.splitlines() if line.count("│") == 3}  # fmt: skip
    assert rows["rows"] == str(read.nnz) and rows["listeners"] == "2"

    evaluated = runner.invoke(
        app,
        ["eval", "--interactions", str(out), "--no-tune", "--models", "popularity", "--json"],
        env=env,
    )
    assert evaluated.exit_code == 0, evaluated.output
    assert json.loads(evaluated.stdout)["split"]["users_train"] == 2


def test_an_export_that_cannot_be_written_says_so_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "plays.tsv"
    failed = runner.invoke(app, ["export", "plays", str(target)], env=_env(tmp_path))
    assert failed.exit_code == 1
    assert "cannot write" in failed.output and not target.parent.exists()
