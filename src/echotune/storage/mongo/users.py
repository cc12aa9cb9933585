"""UserRepo and TokenRepo on MongoDB."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from echotune.errors import StorageError
from echotune.storage.mongo.codec import (
    Doc,
    to_bson_time,
    token_from_doc,
    token_to_doc,
    user_from_doc,
    user_to_doc,
)
from echotune.storage.mongo.errors import translated
from echotune.users.models import ApiToken, User


class MongoUserRepo:
    def __init__(self, users: AsyncCollection[Doc]) -> None:
        self._users = users

    @translated
    async def get_or_create(self, name: str) -> tuple[User, bool]:
        found = await self._users.find_one({"name": name})
        if found is not None:
            return user_from_doc(found), False
        user = User(id=uuid.uuid4().hex, name=name, created_at=to_bson_time(datetime.now(UTC)))
        try:
            await self._users.insert_one(user_to_doc(user))
        except DuplicateKeyError:
            # Another creator won the race; the unique name index decided it.
            found = await self._users.find_one({"name": name})
            if found is None:
                raise StorageError(f"User '{name}' vanished while being created") from None
            return user_from_doc(found), False
        return user, True

    @translated
    async def get(self, user_id: str) -> User | None:
        doc = await self._users.find_one({"_id": user_id})
        return None if doc is None else user_from_doc(doc)

    @translated
    async def get_by_name(self, name: str) -> User | None:
        doc = await self._users.find_one({"name": name})
        return None if doc is None else user_from_doc(doc)

    @translated
    async def list_all(self) -> list[User]:
        return [user_from_doc(d) async for d in self._users.find().sort("name", ASCENDING)]


class MongoTokenRepo:
    def __init__(self, tokens: AsyncCollection[Doc]) -> None:
        self._tokens = tokens

    @translated
    async def add(self, token: ApiToken) -> None:
        await self._tokens.insert_one(token_to_doc(token))

    @translated
    async def find_active(self, token_hash: str) -> ApiToken | None:
        doc = await self._tokens.find_one({"tokenHash": token_hash, "revokedAt": None})
        return None if doc is None else token_from_doc(doc)

    @translated
    async def list_for(self, user_id: str | None = None) -> list[ApiToken]:
        where: Doc = {} if user_id is None else {"userId": user_id}
        cursor = self._tokens.find(where).sort([("createdAt", ASCENDING), ("_id", ASCENDING)])
        return [token_from_doc(d) async for d in cursor]

    @translated
    async def revoke(self, token_id: str) -> bool:
        now = to_bson_time(datetime.now(UTC))
        result = await self._tokens.update_one(
            {"_id": token_id, "revokedAt": None}, {"$set": {"revokedAt": now}}
        )
        return result.modified_count == 1
