"""FeedbackRepo on MongoDB: an append-only collection, read newest first."""

from __future__ import annotations

from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection

from echotune.listening.models import Feedback
from echotune.storage.mongo.codec import Doc, to_bson_time
from echotune.storage.mongo.errors import translated

# Equal times (to the millisecond) keep the order they were added in: an
# ObjectId grows with each insert from one process.
_NEWEST_FIRST = [("at", DESCENDING), ("_id", DESCENDING)]


class MongoFeedbackRepo:
    def __init__(self, feedback: AsyncCollection[Doc]) -> None:
        self._feedback = feedback

    @translated
    async def add(self, feedback: Feedback) -> None:
        await self._feedback.insert_one(
            {
                "userId": feedback.user_id,
                "trackId": feedback.track_id,
                "kind": feedback.kind,
                "at": to_bson_time(feedback.at),
            }
        )

    @translated
    async def list_for(self, user_id: str, limit: int = 1000) -> list[Feedback]:
        if limit <= 0:
            return []  # Mongo reads limit 0 as "no limit"
        cursor = self._feedback.find({"userId": user_id}).sort(_NEWEST_FIRST).limit(limit)
        return [
            Feedback(user_id=d["userId"], track_id=d["trackId"], kind=d["kind"], at=d["at"])
            async for d in cursor
        ]
