"""A real app on a real SQLite store holding the bundled catalog, shared by the API tests."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from pydantic import SecretStr
from typer.testing import CliRunner

from echotune.app import create_app
from echotune.cli.main import app as cli_app
from echotune.settings import Settings
from echotune.wiring import bootstrap_catalog, build_services
from tests.fakes.llm.anthropic_app import FakeAnthropic
from tests.fakes.llm.fixtures import (  # noqa: F401
    fake_anthropic,
    fake_anthropic_server,
    fake_openai,
    fake_openai_server,
)
from tests.fakes.llm.openai_app import FakeOpenAI
from tests.fakes.spotify.fixtures import fake_spotify, fake_spotify_server  # noqa: F401
from tests.fakes.spotify.server import FakeSpotify


def make_settings(data_dir: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="test",
        data_dir=data_dir,
        secret_key=SecretStr("test-secret-key-not-a-placeholder"),
        log_json=True,
    )


@pytest.fixture(scope="session")
def catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir whose SQLite store already holds the bundled catalog."""
    data_dir = tmp_path_factory.mktemp("echotune-var")

    async def load() -> None:
        services = await build_services(make_settings(data_dir))
        try:
            await bootstrap_catalog(services)
        finally:
            await services.close()

    asyncio.run(load())
    return data_dir


@pytest.fixture(scope="session")
def settings(catalog_dir: Path) -> Settings:
    return make_settings(catalog_dir)


@pytest.fixture(scope="session")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def cli_env(data_dir: Path) -> dict[str, str]:
    return {
        "ECHOTUNE_DATA_DIR": str(data_dir),
        "ECHOTUNE_ENV": "test",
        "ECHOTUNE_SECRET_KEY": "test-secret-key-not-a-placeholder",
    }


@pytest.fixture(scope="session")
def token(catalog_dir: Path) -> str:
    """A token made the way a user makes one: `echotune token create alice`."""
    result = CliRunner().invoke(cli_app, ["token", "create", "alice"], env=cli_env(catalog_dir))
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


@pytest.fixture(scope="session")
def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def live_server(settings: Settings) -> Iterator[str]:
    """The app served by uvicorn on a loopback port, for real HTTP clients."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_config=None, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="session")
def spotify_dir(catalog_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.api.spotify_app import copy_store

    return copy_store(catalog_dir, tmp_path_factory.mktemp("echotune-spotify"))


@pytest.fixture(scope="session")
def spotify_client(
    spotify_dir: Path,
    fake_spotify_server: FakeSpotify,  # noqa: F811
) -> Iterator[TestClient]:
    """The app with Spotify configured, pointed at the loopback fake."""
    from tests.api.spotify_app import spotify_settings

    settings = spotify_settings(spotify_dir, fake_spotify_server)
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture
def spotify_api(
    spotify_client: TestClient,
    fake_spotify: FakeSpotify,  # noqa: F811
) -> TestClient:
    """The Spotify-enabled app with no cookies, and the fake reset."""
    spotify_client.cookies.clear()
    return spotify_client


@pytest.fixture(scope="session")
def vendor_client(
    catalog_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
    fake_openai_server: FakeOpenAI,  # noqa: F811
    fake_anthropic_server: FakeAnthropic,  # noqa: F811
) -> Iterator[TestClient]:
    """The app with two real vendor providers (loopback fakes), OpenAI first, then Anthropic,
    then the offline assistant, routed in that order."""
    from tests.api.llm_app import vendor_settings
    from tests.api.spotify_app import copy_store

    data_dir = copy_store(catalog_dir, tmp_path_factory.mktemp("echotune-llm"))
    settings = vendor_settings(data_dir, fake_openai_server, fake_anthropic_server)
    with TestClient(create_app(settings)) as c:
        yield c
