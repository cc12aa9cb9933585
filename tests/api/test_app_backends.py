"""The whole app on MongoDB (a real wire server), and its fallback to SQLite."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr

from echotune.app import create_app
from echotune.settings import CatalogSettings, Settings, StorageSettings
from tests.api.conftest import make_settings
from tests.conftest import drop_mongo_database

SAMPLE_CSV = Path(__file__).parent.parent / "catalog" / "data" / "spotify_songs_sample.csv"


def _settings(tmp_path: Path, storage: StorageSettings) -> Settings:
    return make_settings(tmp_path).model_copy(
        update={"storage": storage, "catalog": CatalogSettings(path=SAMPLE_CSV)}
    )


def test_app_on_mongodb_serves_v1_and_reports_ready(tmp_path: Path, mongo_uri: str) -> None:
    database = "echotune_app_test"
    storage = StorageSettings(mongo_uri=SecretStr(mongo_uri), mongo_database=database)
    try:
        with TestClient(create_app(_settings(tmp_path, storage))) as client:
            ready = client.get("/health/ready").json()
            assert ready["ready"] is True
            assert ready["storage"]["backend"] == "mongo"
            assert ready["storage"]["fallback"] is False
            assert ready["storage"]["indexes_present"] is True
            tracks = ready["catalog"]["tracks"]
            assert tracks == ready["model"]["tracks"] > 0

            # A token made through the running app's own services, on its own loop.
            users = client.app.state.services.users  # type: ignore[attr-defined]
            assert client.portal is not None
            _, _, secret = client.portal.call(users.create_token, "mona")
            auth = {"Authorization": f"Bearer {secret}"}
            recs = client.get("/v1/recommendations", params={"seed_genres": "pop", "limit": 3}, headers=auth)
            assert recs.status_code == 200, recs.text
            assert len(recs.json()["tracks"]) == 3
            first = recs.json()["tracks"][0]["id"]
            assert client.get(f"/v1/tracks/{first}", headers=auth).json()["id"] == first
            found = client.get("/v1/search", params={"q": "genre:pop", "type": "track"}, headers=auth)
            assert found.json()["tracks"]["total"] > 0
    finally:
        asyncio.run(drop_mongo_database(mongo_uri, database))


def test_unreachable_mongodb_falls_back_to_sqlite(tmp_path: Path) -> None:
    storage = StorageSettings(
        mongo_uri=SecretStr("mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=300"),
        mongo_server_selection_timeout_ms=300,
        mongo_connect_timeout_ms=300,
    )
    with TestClient(create_app(_settings(tmp_path, storage))) as client:
        body = client.get("/health/ready").json()
        assert body["storage"]["backend"] == "sqlite"
        assert body["storage"]["fallback"] is True
        assert body["storage"]["reachable"] is True
        assert body["ready"] is True
        assert (tmp_path / "echotune.db").exists()
