"""What only the MongoDB backend has: document shape, named indexes, the validator,
and the non-transactional path on a standalone server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from echotune.accounts.models import SpotifyLink
from echotune.errors import StorageError
from echotune.storage.mongo import MongoStorage
from echotune.storage.mongo.client import supports_transactions
from echotune.storage.mongo.schema import EXPECTED_INDEXES, TRACKS_VALIDATOR
from tests.conftest import drop_mongo_database, mongo_settings
from tests.storage.samples import FEATURES, track

pytestmark = pytest.mark.mongo

Doc = dict[str, Any]


@pytest.fixture
async def raw(mongo_uri: str) -> AsyncIterator[AsyncMongoClient[Doc]]:
    """A plain driver client, to look at what the backend wrote."""
    client: AsyncMongoClient[Doc] = AsyncMongoClient(mongo_uri, tz_aware=True)
    yield client
    await client.close()


@pytest.fixture
async def opened(mongo_uri: str) -> AsyncIterator[MongoStorage]:
    settings = mongo_settings(mongo_uri)
    storage = await MongoStorage.open(settings)
    yield storage
    await storage.close()
    await drop_mongo_database(mongo_uri, settings.mongo_database)


async def test_tracks_are_camel_case_documents(
    opened: MongoStorage, raw: AsyncMongoClient[Doc]
) -> None:
    await opened.tracks.upsert_many([track("a"), track("b", features=None)])
    coll = raw[opened.database]["tracks"]
    doc = await coll.find_one({"_id": "a"})
    assert doc is not None
    assert {"artistId", "artistName", "albumName", "releaseDate", "durationMs"} <= set(doc)
    assert doc["audioFeatures"]["timeSignature"] == FEATURES.time_signature
    assert doc["audioFeatures"]["durationMs"] == FEATURES.duration_ms
    bare = await coll.find_one({"_id": "b"})
    assert bare is not None and bare["audioFeatures"] is None


async def test_indexes_have_their_names_and_keys(
    opened: MongoStorage, raw: AsyncMongoClient[Doc]
) -> None:
    db = raw[opened.database]
    for spec in EXPECTED_INDEXES:
        info = await db[spec.collection].index_information()
        assert info[spec.name]["key"] == list(spec.keys), spec.label
        assert bool(info[spec.name].get("unique")) == spec.unique, spec.label
        assert info[spec.name].get("expireAfterSeconds") == spec.expire_after_s, spec.label


async def test_status_names_a_missing_index_and_reopen_restores_it(
    mongo_uri: str, opened: MongoStorage, raw: AsyncMongoClient[Doc]
) -> None:
    await raw[opened.database]["userSessions"].drop_index("recent_activity")
    status = await opened.status()
    assert status.reachable and not status.indexes_present
    assert status.missing_indexes == ["userSessions.recent_activity"]
    again = await MongoStorage.open(mongo_settings(mongo_uri, opened.database))
    try:
        assert (await again.status()).missing_indexes == []
    finally:
        await again.close()


async def test_open_adds_the_validator_to_an_existing_tracks_collection(
    mongo_uri: str, raw: AsyncMongoClient[Doc]
) -> None:
    settings = mongo_settings(mongo_uri)
    db = raw[settings.mongo_database]
    await db.create_collection("tracks")
    storage = await MongoStorage.open(settings)
    try:
        infos = await (await db.list_collections(filter={"name": "tracks"})).to_list()
        assert infos[0]["options"]["validator"] == TRACKS_VALIDATOR
    finally:
        await storage.close()
        await drop_mongo_database(mongo_uri, settings.mongo_database)


def test_transactions_need_a_replica_set_or_mongos() -> None:
    assert supports_transactions({"setName": "rs0", "logicalSessionTimeoutMinutes": 30})
    assert supports_transactions({"msg": "isdbgrid", "logicalSessionTimeoutMinutes": 30})
    assert not supports_transactions(
        {"isWritablePrimary": True, "logicalSessionTimeoutMinutes": 30}
    )
    assert not supports_transactions({"setName": "rs0"})


@pytest.fixture
def standalone_uri() -> Iterator[str]:
    from secantus import SecantusDBServer

    server = SecantusDBServer(port=0, storage_path=":memory:", replica_set_name=None)
    server.start()
    yield server.uri
    server.stop()


async def test_standalone_server_writes_without_transactions(standalone_uri: str) -> None:
    storage = await MongoStorage.open(mongo_settings(standalone_uri))
    try:
        assert storage.atomic_batches is False
        assert (await storage.tracks.upsert_many([track("a"), track("b")])).inserted == 2
        bad = track("c").model_copy(update={"popularity": 200})
        with pytest.raises(StorageError):
            await storage.tracks.upsert_many([track("new1"), bad, track("new2")])
        # Documented: without transactions an ordered write keeps the prefix.
        found = await storage.tracks.get_many(["new1", "c", "new2"])
        assert [t.id for t in found] == ["new1"]
    finally:
        await storage.close()


async def test_spotify_links_hold_tokens_as_binary_only(
    opened: MongoStorage, raw: AsyncMongoClient[Doc]
) -> None:
    user, _ = await opened.users.get_or_create("alice")
    now = datetime(2024, 5, 1, tzinfo=UTC)
    link = SpotifyLink(
        user_id=user.id,
        spotify_user_id="sp-alice",
        access_token_enc=b"\x01sealed-access",
        refresh_token_enc=b"\x01sealed-refresh",
        expires_at=now,
        connected_at=now,
        updated_at=now,
    )
    await opened.spotify_links.upsert(link)
    doc = await raw[opened.database]["spotifyLinks"].find_one({"_id": user.id})
    assert doc is not None
    assert {"spotifyUserId", "accessTokenEnc", "refreshTokenEnc", "expiresAt"} <= set(doc)
    assert bytes(doc["accessTokenEnc"]) == b"\x01sealed-access"
