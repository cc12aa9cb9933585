"""FeedbackRepo on MongoDB: one collection, read newest first.

The listener's own events get a server-made ObjectId and no `source`: an
append-only log. A sourced entry's `_id` is made of its key (source, kind,
user, track), so `add_many` is a batch of upserts on `_id` with
`$setOnInsert`: `_id` is always unique, so the same entry cannot be stored
twice, by a repeated sync or by two running at once, with no extra index.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence

from pymongo import DESCENDING, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

from echotune.listening.models import Feedback, FeedbackKind
from echotune.storage.mongo.codec import Doc, to_bson_time
from echotune.storage.mongo.errors import translated

# Equal times (to the millisecond) keep the order they were added in: an
# ObjectId grows with each insert from one process.
_NEWEST_FIRST = [("at", DESCENDING), ("_id", DESCENDING)]


def _doc(feedback: Feedback) -> Doc:
    return {
        "userId": feedback.user_id,
        "trackId": feedback.track_id,
        "kind": feedback.kind,
        "at": to_bson_time(feedback.at),
    }


def sourced_id(feedback: Feedback, source: str) -> str:
    """The `_id` of a sourced entry: its key as a JSON array, unambiguous whatever
    the ids contain."""
    return json.dumps([source, feedback.kind, feedback.user_id, feedback.track_id])


def _source(source: str) -> str:
    if not source:
        raise ValueError("a feedback source must be named")
    return source


class MongoFeedbackRepo:
    def __init__(self, feedback: AsyncCollection[Doc]) -> None:
        self._feedback = feedback

    @translated
    async def add(self, feedback: Feedback) -> None:
        if feedback.source is not None:
            raise ValueError(
                f"`add` takes the listener's own feedback; use add_many for {feedback.source!r}"
            )
        await self._feedback.insert_one(_doc(feedback))

    @translated
    async def add_many(self, feedback: Sequence[Feedback], source: str) -> int:
        src = _source(source)
        ops = [
            UpdateOne(
                {"_id": sourced_id(f, src)},
                {"$setOnInsert": {**_doc(f), "source": src}},
                upsert=True,
            )
            for f in feedback
        ]
        if not ops:
            return 0
        # Ordered, no transaction needed: each upsert is idempotent, so a batch
        # that failed half way is completed by running it again.
        result = await self._feedback.bulk_write(ops, ordered=True)
        return result.upserted_count

    @translated
    async def retain(
        self, user_id: str, source: str, kind: FeedbackKind, track_ids: Collection[str]
    ) -> int:
        gone = await self._feedback.delete_many(
            {
                "userId": user_id,
                "source": _source(source),
                "kind": kind,
                "trackId": {"$nin": sorted(track_ids)},
            }
        )
        return gone.deleted_count

    @translated
    async def list_for(self, user_id: str, limit: int = 1000) -> list[Feedback]:
        if limit <= 0:
            return []  # Mongo reads limit 0 as "no limit"
        cursor = self._feedback.find({"userId": user_id}).sort(_NEWEST_FIRST).limit(limit)
        return [
            Feedback(
                user_id=d["userId"],
                track_id=d["trackId"],
                kind=d["kind"],
                at=d["at"],
                source=d.get("source"),
            )
            async for d in cursor
        ]

    @translated
    async def count(self, user_id: str) -> int:
        return await self._feedback.count_documents({"userId": user_id})
