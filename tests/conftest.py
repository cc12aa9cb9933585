"""Fixtures every test package may use: a MongoDB-wire server and an opened Storage.

`mongo_uri` is a real mongod when ECHOTUNE_TEST_MONGODB_URI is set, otherwise a
SecantusDB server (a single-node replica set, in memory) started once per run.
`storage` runs a test once per backend, each time on fresh, empty data.
`redis_url` is a real redis-server (Debian's, installed by `make test`) started
once per run on a free loopback port; `redis_db_url` gives each test an empty db.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from pymongo import AsyncMongoClient

from echotune.settings import StorageSettings
from echotune.storage.base import Storage
from echotune.storage.mongo import MongoStorage
from echotune.storage.sqlite import SqliteStorage

MONGODB_URI_ENV = "ECHOTUNE_TEST_MONGODB_URI"


@pytest.fixture(scope="session")
def mongo_uri() -> Iterator[str]:
    external = os.environ.get(MONGODB_URI_ENV)
    if external:
        yield external
        return
    from secantus import SecantusDBServer

    server = SecantusDBServer(port=0, storage_path=":memory:")
    server.start()
    try:
        yield server.uri
    finally:
        server.stop()


def mongo_settings(uri: str, database: str | None = None) -> StorageSettings:
    """Settings for a fresh, uniquely named database on the test server."""
    return StorageSettings(
        mongo_uri=SecretStr(uri),
        mongo_database=database or f"echotune_test_{uuid.uuid4().hex[:12]}",
        mongo_server_selection_timeout_ms=5000,
    )


async def drop_mongo_database(uri: str, database: str) -> None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(uri)
    try:
        await client.drop_database(database)
    finally:
        await client.close()


@pytest.fixture(params=["sqlite", pytest.param("mongo", marks=pytest.mark.mongo)])
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Storage]:
    if request.param == "sqlite":
        sqlite = await SqliteStorage.open(tmp_path / "echotune.db")
        try:
            yield sqlite
        finally:
            await sqlite.close()
        return
    uri: str = request.getfixturevalue("mongo_uri")
    settings = mongo_settings(uri)
    mongo = await MongoStorage.open(settings)
    try:
        yield mongo
    finally:
        await mongo.close()
        await drop_mongo_database(uri, settings.mongo_database)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    external = os.environ.get("ECHOTUNE_TEST_REDIS_URL")
    if external:
        yield external
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed; `make test` installs it (Debian redis-server)")
    port = _free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("redis-server did not start within 10 s")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


_redis_dbs = iter(range(1, 16))


@pytest.fixture
def redis_db_url(redis_url: str) -> str:
    """A Redis URL on a database no other test in this run has used (1..15, then flushed 15)."""
    db = next(_redis_dbs, 15)
    import redis

    client = redis.Redis.from_url(f"{redis_url}/{db}")
    try:
        client.flushdb()
    finally:
        client.close()
    return f"{redis_url}/{db}"
