"""`echotune import history FILE... --user NAME` through the real CLI on a real SQLite file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from echotune.cli.main import app
from echotune.recommend.personal.cf_scorer import CFArtifact
from echotune.settings import Settings
from echotune.storage.factory import open_storage
from tests.listening.conftest import AUDIO_2022, SAMPLE

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "ECHOTUNE_DATA_DIR": str(tmp_path / "var"),
        "ECHOTUNE_ENV": "test",
        "ECHOTUNE_SECRET_KEY": "test-secret-key-not-a-placeholder",
        "ECHOTUNE_LOG_JSON": "true",
        "COLUMNS": "200",
    }


def stored_plays(data_dir: str, user_name: str) -> int:
    async def count() -> int:
        storage = await open_storage(Settings(_env_file=None, data_dir=Path(data_dir)))  # type: ignore[call-arg]
        try:
            user = await storage.users.get_by_name(user_name)
            return 0 if user is None else await storage.listening.count(user.id)
        finally:
            await storage.close()

    return asyncio.run(count())


def table(output: str) -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in output.splitlines():
        cells = [c.strip() for c in line.split("│") if c.strip()]
        if len(cells) == 2:
            rows[cells[0]] = cells[1]
    return rows


def invoke(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["import", "history", *args], env=env)
    return result.exit_code, result.output


def test_import_prints_a_summary_and_a_rerun_adds_nothing(env: dict[str, str]) -> None:
    code, output = invoke(env, *map(str, SAMPLE), "--user", "carol")
    assert code == 0, output
    rows = table(output)
    assert {k: rows[k] for k in ("records read", "plays new", "duplicates")} == {
        "records read": "114",
        "plays new": "90",
        "duplicates": "1",
    }
    assert (rows["skipped podcast"], rows["skipped video"]) == ("10", "13")
    assert rows["tracks added to catalog"] == "79" and rows["files failed"] == "0"
    assert stored_plays(env["ECHOTUNE_DATA_DIR"], "carol") == 90

    code, output = invoke(env, *map(str, SAMPLE), "--user", "carol")
    assert code == 0 and (table(output)["plays new"], table(output)["duplicates"]) == ("0", "91")


def trained_rows(output: str) -> list[list[str]]:
    """The cells of the training table's rows (model name first)."""
    rows = ([c.strip() for c in line.split("│")[1:-1]] for line in output.splitlines())
    return [cells for cells in rows if cells and cells[0] == "echotune"]


def model_file(env: dict[str, str]) -> Path:
    return Path(env["ECHOTUNE_DATA_DIR"]) / "models" / "collaborative.npz"


def test_new_plays_retrain_the_model_as_an_api_import_does(env: dict[str, str]) -> None:
    code, output = invoke(env, str(AUDIO_2022), "--user", "carol")
    assert code == 0, output
    [trained] = trained_rows(output)
    assert trained[1] == "yes", output
    saved = CFArtifact.load(model_file(env))
    assert saved.users == int(trained[2]) == 1 and saved.interactions == int(trained[4]) > 0
    first = saved.trained_at
    # Nothing new: nothing to retrain.
    code, output = invoke(env, str(AUDIO_2022), "--user", "carol")
    assert code == 0 and trained_rows(output) == []
    assert CFArtifact.load(model_file(env)).trained_at == first


def test_no_train_leaves_the_model_alone(env: dict[str, str]) -> None:
    code, output = invoke(env, str(AUDIO_2022), "--user", "carol", "--no-train")
    assert code == 0 and table(output)["plays new"] != "0"
    assert trained_rows(output) == [] and not model_file(env).exists()


def test_a_corrupt_file_exits_1_listing_it_and_the_rest_is_imported(
    env: dict[str, str], tmp_path: Path
) -> None:
    bad = tmp_path / "endsong_[bold]0.json"  # a name that must not be read as markup
    bad.write_text('[{"ts": "2020-01-01T00:00:00Z", "ms_played": 1}, {"ts": ', encoding="utf-8")
    code, output = invoke(env, str(bad), str(AUDIO_2022), "--user", "dave")
    assert code == 1
    assert "Files not imported" in output and "endsong_[bold]0.json" in output
    assert "truncated in the middle of a record" in output and "record 1" in output
    assert table(output)["plays new"] == "34"
    assert stored_plays(env["ECHOTUNE_DATA_DIR"], "dave") == 34


def test_usage_errors_exit_2(env: dict[str, str], tmp_path: Path) -> None:
    assert invoke(env, str(tmp_path / "nope.json"), "--user", "erin")[0] == 2
    assert invoke(env, str(AUDIO_2022))[0] == 2  # --user is required
    code, output = invoke(env, str(AUDIO_2022), "--user", "bad name!")
    assert code == 1 and "Invalid user name" in output
