"""open_storage: SQLite by default, MongoDB when asked, SQLite again when MongoDB is away."""

from __future__ import annotations

import asyncio
import gc
import socket
from pathlib import Path

import pytest
from pydantic import SecretStr
from structlog.testing import capture_logs

from echotune.settings import Settings, StorageSettings
from echotune.storage.base import StorageStatus
from echotune.storage.factory import open_storage
from tests.conftest import drop_mongo_database, mongo_settings


def settings(data_dir: Path, storage: StorageSettings | None = None) -> Settings:
    return Settings(
        _env_file=None,
        env="test",
        data_dir=data_dir,
        secret_key=SecretStr("test-secret-key-not-a-placeholder"),
        storage=storage or StorageSettings(),
    )


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_sqlite_by_default_creating_its_directory(tmp_path: Path) -> None:
    cfg = settings(tmp_path / "nested" / "var")
    storage = await open_storage(cfg)
    try:
        status = await storage.status()
        assert (status.backend, status.fallback) == ("sqlite", False)
        assert cfg.sqlite_path.exists()
    finally:
        await storage.close()


@pytest.mark.mongo
async def test_mongo_when_a_uri_is_set(tmp_path: Path, mongo_uri: str) -> None:
    storage_settings = mongo_settings(mongo_uri)
    storage = await open_storage(settings(tmp_path, storage_settings))
    try:
        status = await storage.status()
        assert (status.backend, status.reachable, status.fallback) == ("mongo", True, False)
    finally:
        await storage.close()
        await drop_mongo_database(mongo_uri, storage_settings.mongo_database)
    assert not (tmp_path / "echotune.db").exists()


def test_unreachable_mongo_falls_back_to_sqlite_with_one_warning(tmp_path: Path) -> None:
    unreachable = StorageSettings(
        mongo_uri=SecretStr(f"mongodb://127.0.0.1:{closed_port()}/?directConnection=true"),
        mongo_server_selection_timeout_ms=200,
        mongo_connect_timeout_ms=200,
    )
    cfg = settings(tmp_path / "var", unreachable)

    async def fall_back() -> StorageStatus:
        storage = await open_storage(cfg)
        try:
            await storage.users.get_or_create("alice")  # and it works
            return await storage.status()
        finally:
            await storage.close()

    with capture_logs() as logs:
        # Its own event loop, closed before gc.collect(), so a socket leaked by
        # closing the failed client surfaces in this test as a ResourceWarning.
        status = asyncio.run(fall_back())
        gc.collect()
    assert (status.backend, status.reachable, status.fallback) == ("sqlite", True, True)
    assert status.detail is not None and "MongoDB unreachable" in status.detail
    assert cfg.sqlite_path.exists()
    warnings = [e for e in logs if e["log_level"] == "warning"]
    assert len(warnings) == 1
    assert warnings[0]["event"] == "storage.mongo_unreachable"
    assert warnings[0]["fallback"] == "sqlite"
