"""Fixtures every test package may use: a MongoDB-wire server and an opened Storage.

`mongo_uri` is a real mongod when ECHOTUNE_TEST_MONGODB_URI is set, otherwise a
SecantusDB server (a single-node replica set, in memory) started once per run.
`storage` runs a test once per backend, each time on fresh, empty data.
"""

from __future__ import annotations

import os
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
