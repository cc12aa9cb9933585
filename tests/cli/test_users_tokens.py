"""`echotune users|token|config` through the real CLI on a real SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from echotune.cli.main import app
from tests.api.conftest import cli_env

runner = CliRunner()


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**cli_env(tmp_path), "ECHOTUNE_CATALOG__AUTOLOAD": "false", **extra}


def test_token_lifecycle(tmp_path: Path) -> None:
    env = _env(tmp_path)
    created = runner.invoke(app, ["token", "create", "bob"], env=env)
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    assert secret.startswith("et_") and "\n" not in secret and len(secret) > 40

    listed = runner.invoke(app, ["token", "list", "--user", "bob"], env={**env, "COLUMNS": "200"})
    assert listed.exit_code == 0
    assert "bob" in listed.stdout and secret not in listed.stdout
    assert len(_token_ids(env, "bob")) == 1
    # Only the hash is stored: the secret appears nowhere in the database files.
    for db_file in tmp_path.glob("echotune.db*"):
        assert secret.encode() not in db_file.read_bytes()

    users = runner.invoke(app, ["users", "list"], env=env)
    assert "bob" in users.stdout


def test_revoked_token_is_refused(tmp_path: Path) -> None:
    env = _env(tmp_path)
    secret = runner.invoke(app, ["token", "create", "carol"], env=env).stdout.strip()
    from echotune.app import create_app
    from tests.api.conftest import make_settings

    settings = make_settings(tmp_path).model_copy(
        update={"catalog": make_settings(tmp_path).catalog.model_copy(update={"autoload": False})}
    )
    with TestClient(create_app(settings)) as client:
        headers = {"Authorization": f"Bearer {secret}"}
        before = client.get("/v1/tracks/0000000000000000000000", headers=headers)
        assert before.status_code == 404  # authenticated, the track just is not there
        token_id = _token_ids(env, "carol")[0]
        revoked = runner.invoke(app, ["token", "revoke", token_id], env=env)
        assert revoked.exit_code == 0, revoked.output
        after = client.get("/v1/tracks/0000000000000000000000", headers=headers)
        assert after.status_code == 401
    again = runner.invoke(app, ["token", "revoke", token_id], env=env)
    assert again.exit_code == 1
    assert "No active token" in again.output


def _token_ids(env: dict[str, str], user: str) -> list[str]:
    out = runner.invoke(app, ["token", "list", "--user", user], env={**env, "COLUMNS": "200"})
    ids = []
    for line in out.stdout.splitlines():
        cells = [c.strip() for c in line.split("│") if c.strip()]
        if len(cells) >= 2 and cells[1] == user:
            ids.append(cells[0])
    return ids


def test_bad_user_name_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["users", "create", "no spaces please"], env=_env(tmp_path))
    assert result.exit_code == 1
    assert "Invalid user name 'no spaces please'" in result.output


def test_config_show_masks_secrets(tmp_path: Path) -> None:
    env = _env(tmp_path, ECHOTUNE_STORAGE__MONGO_URI="mongodb://user:hunter2@db:27017")
    result = runner.invoke(app, ["config", "show", "--json"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["storage"]["mongo_uri"] == "**********"
    assert data["secret_key"] == "**********"
    assert data["data_dir"] == str(tmp_path)
    assert "hunter2" not in result.stdout and "test-secret-key" not in result.stdout
    table = runner.invoke(app, ["config", "show"], env={**env, "COLUMNS": "200"})
    assert "ECHOTUNE_STORAGE__MONGO_URI" in table.stdout and "hunter2" not in table.stdout


@pytest.mark.parametrize("secret", ["change-me", ""])
def test_placeholder_secret_refused_outside_dev(tmp_path: Path, secret: str) -> None:
    env = _env(tmp_path, ECHOTUNE_ENV="prod", ECHOTUNE_SECRET_KEY=secret)
    result = runner.invoke(app, ["config", "show"], env=env)
    assert result.exit_code == 2
    assert "ECHOTUNE_SECRET_KEY is a placeholder" in result.output
    dev = runner.invoke(app, ["config", "show"], env={**env, "ECHOTUNE_ENV": "dev"})
    assert dev.exit_code == 0


def _json_log_events(output: str) -> list[str]:
    events = []
    for line in output.splitlines():
        if line.startswith("{"):
            events.append(json.loads(line)["event"])
    return events


def test_commands_log_warnings_only_unless_a_level_is_set(tmp_path: Path) -> None:
    # Training logs its INFO events (the index built, the model trained): a
    # command shows its own table instead, unless ECHOTUNE_LOG_LEVEL asks.
    runner.invoke(app, ["users", "create", "cleo"], env=_env(tmp_path))
    quiet = runner.invoke(app, ["train"], env={**_env(tmp_path), "COLUMNS": "200"})
    assert quiet.exit_code == 0, quiet.output
    assert _json_log_events(quiet.output) == [] and "trained" in quiet.output
    chatty = runner.invoke(app, ["train"], env=_env(tmp_path, ECHOTUNE_LOG_LEVEL="INFO"))
    assert "discovery.index.built" in _json_log_events(chatty.output)
