"""LoginAttemptRepo and SessionRepo on MongoDB.

Leftovers (attempts never completed, expired sessions) are removed by the TTL
indexes in schema.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pymongo.asynchronous.collection import AsyncCollection

from echotune.accounts.models import LoginAttempt, Session
from echotune.storage.mongo.codec import Doc, to_bson_time
from echotune.storage.mongo.errors import translated


class MongoLoginAttemptRepo:
    def __init__(self, attempts: AsyncCollection[Doc]) -> None:
        self._attempts = attempts

    @translated
    async def add(self, attempt: LoginAttempt) -> None:
        await self._attempts.insert_one(
            {
                "_id": attempt.state,
                "verifier": attempt.verifier,
                "createdAt": to_bson_time(attempt.created_at),
                "returnTo": attempt.return_to,
            }
        )

    @translated
    async def pop(self, state: str, now: datetime, max_age: timedelta) -> LoginAttempt | None:
        # find_one_and_delete is one atomic server operation: of two concurrent
        # pops, exactly one gets the document.
        doc = await self._attempts.find_one_and_delete({"_id": state})
        if doc is None or doc["createdAt"] <= to_bson_time(now - max_age):
            return None
        return LoginAttempt(
            state=doc["_id"],
            verifier=doc["verifier"],
            created_at=doc["createdAt"],
            return_to=doc.get("returnTo"),
        )


class MongoSessionRepo:
    def __init__(self, sessions: AsyncCollection[Doc]) -> None:
        self._sessions = sessions

    @translated
    async def add(self, session: Session) -> None:
        await self._sessions.insert_one(
            {
                "_id": session.id_hash,
                "userId": session.user_id,
                "createdAt": to_bson_time(session.created_at),
                "expiresAt": to_bson_time(session.expires_at),
            }
        )

    @translated
    async def get_active(self, id_hash: str, now: datetime) -> Session | None:
        doc = await self._sessions.find_one(
            {"_id": id_hash, "expiresAt": {"$gt": to_bson_time(now)}}
        )
        if doc is None:
            return None
        return Session(
            id_hash=doc["_id"],
            user_id=doc["userId"],
            created_at=doc["createdAt"],
            expires_at=doc["expiresAt"],
        )

    @translated
    async def delete(self, id_hash: str) -> bool:
        result = await self._sessions.delete_one({"_id": id_hash})
        return result.deleted_count == 1

    @translated
    async def delete_for_user(self, user_id: str) -> int:
        result = await self._sessions.delete_many({"userId": user_id})
        return result.deleted_count
