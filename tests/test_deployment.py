"""The deployment files agree with the app they start.

No Docker engine runs on the test machines, so Dockerfile, docker-compose.yml,
Procfile and .do/app.yaml are parsed and compared with the real settings,
routes, console script and CLI instead of being run.
"""

from __future__ import annotations

import fnmatch
import importlib
import json
import os
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml
from pydantic import BaseModel

from echotune.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY_FILES = ("Dockerfile", "docker-compose.yml", "Procfile", ".do/app.yaml")
DEFAULT_PORT: int = Settings.model_fields["port"].default
LIVENESS = "/health/live"
# Values the platforms fill in at deploy time (${...} references, console secrets).
STAND_INS = {
    "ECHOTUNE_SECRET_KEY": "x" * 48,
    "ECHOTUNE_STORAGE__MONGO_URI": "mongodb+srv://user:pass@db.example.com/echotune",
}


def parse_dockerfile(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs; continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        instructions.append((keyword.upper(), " ".join(args.split())))
        pending = ""
    return instructions


DOCKERFILE = parse_dockerfile((ROOT / "Dockerfile").read_text(encoding="utf-8"))
FINAL_STAGE = DOCKERFILE[max(i for i, (k, _) in enumerate(DOCKERFILE) if k == "FROM") :]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
DO_SPEC: dict[str, Any] = yaml.safe_load((ROOT / ".do/app.yaml").read_text(encoding="utf-8"))
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def instructions(keyword: str, stage: list[tuple[str, str]] = DOCKERFILE) -> list[str]:
    return [args for k, args in stage if k == keyword]


def image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for args in instructions("ENV", FINAL_STAGE):
        env.update(item.split("=", 1) for item in shlex.split(args))
    return {k: v for k, v in env.items() if k.startswith("ECHOTUNE_")}


def procfile_web() -> str:
    lines = (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    return next(line.split(":", 1)[1].strip() for line in lines if line.startswith("web:"))


def do_service() -> dict[str, Any]:
    (service,) = DO_SPEC["services"]
    return service


def compose_app_env() -> dict[str, str]:
    env = COMPOSE["services"]["app"]["environment"]
    assert isinstance(env, dict), "keep compose environment a mapping"
    return {k: str(v) for k, v in env.items()}


def health_path(command: list[str] | str) -> str:
    text = command if isinstance(command, str) else " ".join(command)
    match = re.search(r"https?://[^/\s'\"]+(/[\w/.-]*)", text)
    assert match, f"no URL in health check {text!r}"
    return match.group(1)


def setting_env_names(model: type[BaseModel] = Settings, prefix: str = "ECHOTUNE_") -> set[str]:
    names: set[str] = set()
    for name, field in model.model_fields.items():
        env = f"{prefix}{name.upper()}"
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names |= setting_env_names(annotation, env + "__")
        else:
            names.add(env)
    return names


def settings_from(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings exactly as a container with this environment would build them."""
    for name in list(os.environ):
        if name.startswith("ECHOTUNE_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, STAND_INS[name] if "${" in value or not value else value)
    return Settings(_env_file=None)


def start_commands() -> dict[str, list[str]]:
    (cmd,) = instructions("CMD", FINAL_STAGE)
    return {
        "Dockerfile CMD": json.loads(cmd),
        "Procfile web": shlex.split(procfile_web()),
        ".do run_command": shlex.split(do_service()["run_command"]),
    }


def option(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv else None


# Environment names and values


def test_every_echotune_env_name_is_a_real_setting() -> None:
    known = setting_env_names()
    for file in DEPLOY_FILES:
        used = set(re.findall(r"\bECHOTUNE_[A-Z0-9_]+", (ROOT / file).read_text(encoding="utf-8")))
        assert used <= known, f"{file} sets unknown settings: {sorted(used - known)}"


def test_image_env_builds_settings_on_the_exposed_port(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from(image_env(), monkeypatch)
    assert settings.host == "0.0.0.0"
    assert settings.port == int(image_env().get("ECHOTUNE_PORT", DEFAULT_PORT)) == DEFAULT_PORT
    assert instructions("EXPOSE", FINAL_STAGE) == [str(settings.port)]
    assert settings.data_dir == Path("/app/var")


def test_compose_app_env_builds_prod_settings_on_mongo_and_redis(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = compose_app_env()
    assert env["ECHOTUNE_SECRET_KEY"].startswith("${ECHOTUNE_SECRET_KEY:?"), "must be required"
    settings = settings_from(image_env() | env, monkeypatch)
    assert settings.env == "prod"
    assert settings.storage.mongo_uri is not None and settings.redis_url is not None
    mongo = urlsplit(settings.storage.mongo_uri.get_secret_value())
    redis = urlsplit(settings.redis_url.get_secret_value())
    assert (mongo.scheme, mongo.hostname, mongo.port) == ("mongodb", "mongo", 27017)
    assert (redis.scheme, redis.hostname, redis.port) == ("redis", "redis", 6379)
    published = COMPOSE["services"]["app"]["ports"]
    assert [int(str(p).rsplit(":", 1)[1]) for p in published] == [settings.port]


def test_do_spec_env_builds_prod_settings_on_the_http_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    service = do_service()
    envs = {e["key"]: str(e.get("value", "")) for e in service["envs"]}
    assert {"ECHOTUNE_ENV", "ECHOTUNE_SECRET_KEY", "ECHOTUNE_STORAGE__MONGO_URI"} <= set(envs)
    secret = next(e for e in service["envs"] if e["key"] == "ECHOTUNE_SECRET_KEY")
    assert secret["type"] == "SECRET" and "value" not in secret, "no plaintext secret in the spec"
    settings = settings_from(image_env() | envs, monkeypatch)
    assert settings.env == "prod" and settings.storage.mongo_uri is not None
    port = option(shlex.split(service["run_command"]), "--port")
    assert service["http_port"] == int(port or settings.port) == DEFAULT_PORT
    assert (ROOT / service["dockerfile_path"]).is_file()


# Dockerfile


def test_dockerfile_builds_in_one_slim_stage_and_runs_from_another() -> None:
    froms = instructions("FROM")
    assert len(froms) >= 2 and all(f.startswith("python:3.11-slim") for f in froms)
    assert froms[0].lower().endswith(" as builder")
    assert PYPROJECT["project"]["requires-python"] == ">=3.11"
    assert any(a.startswith("--from=builder ") for a in instructions("COPY", FINAL_STAGE))


def test_dockerignore_keeps_what_the_build_copies() -> None:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    patterns = [p.strip() for p in lines if p.strip() and not p.startswith("#")]
    for args in instructions("COPY"):
        if args.startswith("--from="):
            continue
        for source in shlex.split(args)[:-1]:
            assert (ROOT / source).exists(), f"COPY {source}: missing"
            assert not any(fnmatch.fnmatch(source, p) for p in patterns), f"{source} ignored"


def test_image_runs_as_non_root_with_a_writable_data_dir() -> None:
    assert instructions("USER", FINAL_STAGE)[-1] == "echotune"
    runs = " ".join(instructions("RUN", FINAL_STAGE))
    assert "--uid 10001" in runs and "chown echotune:echotune /app/var" in runs
    assert instructions("WORKDIR", FINAL_STAGE)[-1] == "/app"


def test_image_healthcheck_uses_python_on_the_liveness_path() -> None:
    (check,) = instructions("HEALTHCHECK", FINAL_STAGE)
    command = json.loads(check.split(" CMD ", 1)[1])
    assert command[:2] == ["python", "-c"]
    assert health_path(command) == LIVENESS
    assert "127.0.0.1:%s/" in command[2]
    assert f"os.environ.get('ECHOTUNE_PORT', '{DEFAULT_PORT}')" in command[2]


# docker-compose.yml


def test_compose_services_all_have_healthchecks() -> None:
    services = COMPOSE["services"]
    assert set(services) == {"app", "mongo", "redis"}
    for name, service in services.items():
        assert service["healthcheck"]["test"][0] == "CMD", name
    app_check = " ".join(services["app"]["healthcheck"]["test"])
    assert health_path(app_check) == LIVENESS and f"127.0.0.1:{DEFAULT_PORT}/" in app_check
    assert services["app"]["depends_on"] == {
        "mongo": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }


def test_compose_mongo_is_a_self_initiating_single_node_replica_set() -> None:
    mongo = COMPOSE["services"]["mongo"]
    assert re.fullmatch(r"mongo:7(\.\d+)*", mongo["image"])
    command = mongo["command"]
    replica_set = option(command, "--replSet")
    assert replica_set and "--bind_ip_all" in command
    assert f"replicaSet={replica_set}" in compose_app_env()["ECHOTUNE_STORAGE__MONGO_URI"]
    script = " ".join(mongo["healthcheck"]["test"])
    assert "mongosh" in script and "rs.status()" in script
    assert f"rs.initiate({{_id: '{replica_set}'" in script and "host: 'mongo:27017'" in script
    assert any(v.endswith(":/data/db") for v in mongo["volumes"])


def test_compose_redis_is_version_7_with_a_ping_healthcheck() -> None:
    redis = COMPOSE["services"]["redis"]
    assert re.fullmatch(r"redis:7(\.\d+)*", redis["image"])
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert any(v.endswith(":/data") for v in redis["volumes"])


# The app these files start


async def test_health_check_paths_answer_200_on_a_started_app(tmp_path: Path) -> None:
    # A request rather than app.routes: FastAPI 0.165 includes routers lazily,
    # so app.routes no longer lists the paths of included routers.
    from echotune.app import create_app

    settings = Settings(_env_file=None, data_dir=tmp_path, catalog={"autoload": False})
    (image_check,) = instructions("HEALTHCHECK", FINAL_STAGE)
    used = {
        "Dockerfile": health_path(image_check),
        "compose app": health_path(" ".join(COMPOSE["services"]["app"]["healthcheck"]["test"])),
        ".do health_check": do_service()["health_check"]["http_path"],
    }
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://echotune") as client,
    ):
        for where, path in used.items():
            assert (await client.get(path)).status_code == 200, f"{where} checks {path}"


def test_start_commands_are_echotune_serve_of_the_console_script() -> None:
    scripts = PYPROJECT["project"]["scripts"]
    module, _, attr = scripts["echotune"].partition(":")
    assert callable(getattr(importlib.import_module(module), attr))
    commands = start_commands()
    assert commands["Dockerfile CMD"] == ["echotune", "serve"]
    assert option(commands["Procfile web"], "--port") == "$PORT"
    for where, argv in commands.items():
        assert argv[:2] == ["echotune", "serve"], where


def test_serve_accepts_the_options_the_start_commands_pass() -> None:
    from typer.testing import CliRunner

    from echotune.cli.main import app

    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0, result.output
    help_text = re.sub(r"\x1b\[[0-9;]*m", "", result.output)
    for where, argv in start_commands().items():
        for name in (a for a in argv if a.startswith("--")):
            assert re.search(rf"{name}\b", help_text), f"{where}: serve has no {name}"
