"""With ECHOTUNE_REDIS_URL set, the chat's caches live in a real Redis."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from pydantic import SecretStr

from echotune.app import create_app
from tests.api.conftest import make_settings
from tests.api.spotify_app import copy_store


@pytest.fixture
def redis_client(catalog_dir: Path, tmp_path: Path, redis_db_url: str) -> TestClient:
    settings = make_settings(copy_store(catalog_dir, tmp_path / "var")).model_copy(
        update={"redis_url": SecretStr(redis_db_url)}
    )
    return TestClient(create_app(settings))


def token(client: TestClient) -> dict[str, str]:
    services = client.app.state.services  # type: ignore[attr-defined]
    _, _, secret = client.portal.call(services.users.create_token, "r" + uuid.uuid4().hex[:6])  # type: ignore[union-attr]
    return {"Authorization": f"Bearer {secret}"}


def test_shared_and_personal_answers_are_cached_in_redis(
    redis_client: TestClient, redis_db_url: str
) -> None:
    with redis_client as client:
        question = {"message": "hello there"}
        first = client.post("/api/v1/chat", json=question, headers=token(client)).json()
        second = client.post("/api/v1/chat", json=question, headers=token(client)).json()
        assert first["reply"] == second["reply"]
        assert first["cached"] is False and second["cached"] is True
        personal = client.post("/api/v1/chat", json={"message": "recommend me some rock"},
                               headers=token(client)).json()  # fmt: skip
        assert personal["tracks"] and personal["cached"] is False
    keys = {k.decode() for k in redis.Redis.from_url(redis_db_url).keys("*")}
    assert any(k.startswith("echotune:llm:cache:shared:") for k in keys), keys
    assert any(k.startswith("echotune:llm:cache:user:") for k in keys), keys
    # The single-turn general question was also indexed for semantic lookups. (Budgets
    # live in Redis too, but the free offline assistant is never charged: see
    # tests/llm/router/test_budgets.py for the Redis ledger.)
    assert any(k.startswith("echotune:llm:semantic:") for k in keys), keys
