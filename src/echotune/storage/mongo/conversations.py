"""ConversationRepo on MongoDB: a `conversations` document per conversation,
an `aiConversations` document per message.

Without a transaction, a message never gets its order from reading the last
one (two appends would read the same). Each append first reserves its
orders with one atomic `$inc` of the conversation's messageCount, which also
checks the owner; the unique (conversationId, messageOrder) index backs that
up. An append that fails after reserving leaves a gap in the orders (they
stay increasing) and a count that includes the lost messages.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from echotune.chat.models import (
    ChatMessage,
    ConversationSummary,
    NewMessage,
    batch_provider,
    batch_title,
    meta_from_json,
    meta_to_json,
)
from echotune.errors import NotFound
from echotune.storage.mongo.codec import Doc, to_bson_time
from echotune.storage.mongo.errors import translated

_RECENT = [("updatedAt", DESCENDING), ("_id", DESCENDING)]


def _owned(conversation_id: str, user_id: str) -> Doc:
    return {"_id": conversation_id, "userId": user_id}


def _not_found(conversation_id: str) -> NotFound:
    return NotFound(f"No conversation {conversation_id}")


def _stored(
    conversation_id: str, user_id: str, start: int, messages: Sequence[NewMessage]
) -> list[ChatMessage]:
    return [
        ChatMessage(
            conversation_id=conversation_id, user_id=user_id, order=start + i, role=m.role,
            content=m.content, created_at=to_bson_time(m.created_at),
            # Through JSON, as stored, so it equals what a later read returns.
            meta=meta_from_json(meta_to_json(m.meta)),
        )
        for i, m in enumerate(messages)
    ]  # fmt: skip


def _message_doc(m: ChatMessage) -> Doc:
    # meta is JSON text, not a subdocument: storage never queries inside it,
    # and text keeps any key (dots, a leading $) and any integer exactly.
    return {
        "conversationId": m.conversation_id,
        "userId": m.user_id,
        "messageOrder": m.order,
        "timestamp": m.created_at,
        "role": m.role,
        "content": m.content,
        "meta": meta_to_json(m.meta),
    }


def _message(doc: Doc) -> ChatMessage:
    return ChatMessage(
        conversation_id=doc["conversationId"],
        user_id=doc["userId"],
        order=doc["messageOrder"],
        role=doc["role"],
        content=doc["content"],
        created_at=doc["timestamp"],
        meta=meta_from_json(doc["meta"]),
    )


def _summary(doc: Doc) -> ConversationSummary:
    return ConversationSummary(
        id=doc["_id"],
        user_id=doc["userId"],
        title=doc["title"],
        created_at=doc["createdAt"],
        updated_at=doc["updatedAt"],
        message_count=doc["messageCount"],
        last_provider=doc.get("lastProvider"),
    )


class MongoConversationRepo:
    def __init__(self, heads: AsyncCollection[Doc], messages: AsyncCollection[Doc]) -> None:
        self._heads = heads
        self._messages = messages

    @translated
    async def create(
        self, user_id: str, at: datetime, messages: Sequence[NewMessage] = ()
    ) -> ConversationSummary:
        conversation_id = uuid.uuid4().hex
        stored = _stored(conversation_id, user_id, 0, messages)
        # Messages first: should the conversation's insert fail, they are left
        # where no read can reach them, instead of a conversation missing them.
        if stored:
            await self._messages.insert_many([_message_doc(m) for m in stored])
        created = to_bson_time(at)
        head: Doc = {
            "_id": conversation_id,
            "userId": user_id,
            "title": batch_title(messages),
            "createdAt": created,
            "updatedAt": max([created, *(m.created_at for m in stored)]),
            "messageCount": len(stored),
            "lastProvider": batch_provider(messages),
        }
        await self._heads.insert_one(head)
        return _summary(head)

    @translated
    async def append(
        self, conversation_id: str, user_id: str, messages: Sequence[NewMessage]
    ) -> list[ChatMessage]:
        if not messages:
            await self._check_owner(conversation_id, user_id)
            return []
        newest = max(to_bson_time(m.created_at) for m in messages)
        # $max: a message stamped earlier than the newest (a slow turn finishing
        # late) must not sink the conversation in the list.
        update: Doc = {"$inc": {"messageCount": len(messages)}, "$max": {"updatedAt": newest}}
        provider = batch_provider(messages)
        if provider is not None:
            update["$set"] = {"lastProvider": provider}
        head = await self._heads.find_one_and_update(
            _owned(conversation_id, user_id),
            update,
            projection={"messageCount": 1, "title": 1},
            return_document=ReturnDocument.AFTER,
        )
        if head is None:
            raise _not_found(conversation_id)
        stored = _stored(conversation_id, user_id, head["messageCount"] - len(messages), messages)
        await self._messages.insert_many([_message_doc(m) for m in stored])
        title = batch_title(messages)
        if title and not head["title"]:
            # Conditional, so a title set meanwhile by another append stays.
            await self._heads.update_one(
                {"_id": conversation_id, "title": ""}, {"$set": {"title": title}}
            )
        return stored

    @translated
    async def get(self, conversation_id: str, user_id: str) -> ConversationSummary | None:
        doc = await self._heads.find_one(_owned(conversation_id, user_id))
        return None if doc is None else _summary(doc)

    @translated
    async def messages(
        self, conversation_id: str, user_id: str, limit: int | None = None
    ) -> list[ChatMessage]:
        await self._check_owner(conversation_id, user_id)
        query: Doc = {"conversationId": conversation_id}
        if limit is None:
            cursor = self._messages.find(query).sort("messageOrder", ASCENDING)
            return [_message(d) async for d in cursor]
        if limit <= 0:
            return []  # Mongo reads limit 0 as "no limit"
        cursor = self._messages.find(query).sort("messageOrder", DESCENDING).limit(limit)
        return [_message(d) async for d in cursor][::-1]

    @translated
    async def list_for(
        self, user_id: str, limit: int, before: datetime | None = None
    ) -> list[ConversationSummary]:
        if limit <= 0:
            return []
        query: Doc = {"userId": user_id}
        if before is not None:
            query["updatedAt"] = {"$lt": to_bson_time(before)}
        cursor = self._heads.find(query).sort(_RECENT).limit(limit)
        return [_summary(d) async for d in cursor]

    @translated
    async def delete(self, conversation_id: str, user_id: str) -> bool:
        # The conversation goes first: from then on nobody can reach its messages.
        result = await self._heads.delete_one(_owned(conversation_id, user_id))
        if result.deleted_count == 0:
            return False
        await self._messages.delete_many({"conversationId": conversation_id})
        return True

    async def _check_owner(self, conversation_id: str, user_id: str) -> None:
        found = await self._heads.find_one(_owned(conversation_id, user_id), {"_id": 1})
        if found is None:
            raise _not_found(conversation_id)
