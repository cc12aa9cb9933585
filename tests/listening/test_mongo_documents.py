"""MongoDB only: what the listening repositories write, and that staging leaves nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from echotune.listening.models import Feedback, Play
from echotune.storage.mongo import MongoStorage
from tests.conftest import drop_mongo_database, mongo_settings

pytestmark = pytest.mark.mongo
Doc = dict[str, Any]
AT = datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)


@pytest.fixture
async def opened(mongo_uri: str) -> AsyncIterator[tuple[MongoStorage, Any]]:
    settings = mongo_settings(mongo_uri)
    storage = await MongoStorage.open(settings)
    client: AsyncMongoClient[Doc] = AsyncMongoClient(mongo_uri, tz_aware=True)
    yield storage, client[settings.mongo_database]
    await client.close()
    await storage.close()
    await drop_mongo_database(mongo_uri, settings.mongo_database)


async def test_events_and_feedback_are_camel_case_documents(
    opened: tuple[MongoStorage, Any],
) -> None:
    storage, db = opened
    play = Play(
        user_id="u",
        track_id="t",
        played_at=AT,
        ms_played=5,
        context="clickrow",
        source="import",
        genre="pop",
    )
    await storage.listening.add_many([play])
    doc = await db["listeningEvents"].find_one({})
    assert {k: v for k, v in doc.items() if k != "_id"} == {
        "userId": "u",
        "trackId": "t",
        "timestamp": AT,
        "msPlayed": 5,
        "skipped": False,
        "context": "clickrow",
        "source": "import",
        "genre": "pop",
    }
    await storage.feedback.add(Feedback(user_id="u", track_id="t", kind="save", at=AT))
    fb = await db["feedback"].find_one({})
    assert (fb["userId"], fb["trackId"], fb["kind"], fb["at"]) == ("u", "t", "save", AT)


async def test_committed_or_dropped_stages_leave_no_documents(
    opened: tuple[MongoStorage, Any],
) -> None:
    storage, db = opened
    await storage.listening.stage("a", [Play(user_id="u", track_id="t", played_at=AT, ms_played=1)])
    await storage.listening.stage("b", [Play(user_id="u", track_id="x", played_at=AT, ms_played=1)])
    assert await db["listeningStage"].count_documents({}) == 2
    staged = await db["listeningStage"].find_one({"importId": "a"})
    assert staged["seq"] == 0 and staged["stagedAt"].tzinfo is not None
    assert await storage.listening.commit_stage("a") == 1
    await storage.listening.drop_stage("b")
    assert await db["listeningStage"].count_documents({}) == 0
    (event,) = await db["listeningEvents"].find({}).to_list()
    assert "importId" not in event and "seq" not in event and "stagedAt" not in event
