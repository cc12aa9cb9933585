"""An EchoTune app wired to the loopback fake Spotify, and a browser-like login helper."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from fastapi.testclient import TestClient
from pydantic import SecretStr

from echotune.settings import Settings, SpotifySettings
from tests.fakes.spotify.server import FakeSpotify

SECRET = "test-secret-key-not-a-placeholder"


def copy_store(catalog_dir: Path, target: Path) -> Path:
    """A data dir holding a copy of the catalog store (faster than loading the CSV again)."""
    target.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(catalog_dir / "echotune.db")
    try:
        dest = sqlite3.connect(target / "echotune.db")
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    models = catalog_dir / "models"
    if models.exists():
        shutil.copytree(models, target / "models", dirs_exist_ok=True)
    return target


def spotify_settings(data_dir: Path, fake: FakeSpotify, **spotify: object) -> Settings:
    values: dict[str, object] = {
        "client_id": fake.client_id,
        "client_secret": SecretStr(fake.client_secret),
        "redirect_uri": fake.redirect_uri,
        "api_base": fake.api_base,
        "accounts_base": fake.accounts_base,
        "sync_interval_minutes": 0,
        "window_budget": 10_000,
        "max_retry_after": 2.0,
        "timeout": 2.0,
    }
    values.update(spotify)
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="test",
        data_dir=data_dir,
        secret_key=SecretStr(SECRET),
        log_json=True,
        spotify=SpotifySettings.model_validate(values),
    )


def spotify_env(data_dir: Path, fake: FakeSpotify) -> dict[str, str]:
    """The same configuration as environment variables, for the CLI."""
    return {
        "ECHOTUNE_DATA_DIR": str(data_dir),
        "ECHOTUNE_ENV": "test",
        "ECHOTUNE_SECRET_KEY": SECRET,
        "ECHOTUNE_CATALOG__AUTOLOAD": "false",
        "ECHOTUNE_SPOTIFY__CLIENT_ID": fake.client_id,
        "ECHOTUNE_SPOTIFY__CLIENT_SECRET": fake.client_secret,
        "ECHOTUNE_SPOTIFY__REDIRECT_URI": fake.redirect_uri,
        "ECHOTUNE_SPOTIFY__API_BASE": fake.api_base,
        "ECHOTUNE_SPOTIFY__ACCOUNTS_BASE": fake.accounts_base,
        "ECHOTUNE_SPOTIFY__MAX_RETRY_AFTER": "2",
        "ECHOTUNE_SPOTIFY__TIMEOUT": "2",
    }


def start_login(client: TestClient, return_to: str | None = None) -> str:
    """GET /auth/login; returns where it redirects (Spotify's authorize page)."""
    params = {"return_to": return_to} if return_to else {}
    response = client.get("/auth/login", params=params, follow_redirects=False)
    assert response.status_code == 302, response.text
    return response.headers["location"]


def consent(authorize_url: str) -> str:
    """What the browser does at Spotify: the fake consents and redirects back.
    Returns our callback's path and query."""
    response = httpx.get(authorize_url, follow_redirects=False)
    assert response.status_code in (302, 303), response.text
    parts = urlsplit(response.headers["location"])
    return f"{parts.path}?{parts.query}"


def login(client: TestClient, fake: FakeSpotify, spotify_user: str) -> httpx.Response:
    """The whole browser flow; the client keeps the session cookie it receives."""
    fake.state.authorize_as = spotify_user
    callback = consent(start_login(client))
    response = client.get(callback, follow_redirects=False)
    assert response.status_code == 302, response.text
    return response
