"""ConversationRepo on SQLite: a `conversations` row per conversation, an
`ai_conversations` row per message, each write one transaction."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence
from datetime import datetime

from echotune.chat.models import (
    ChatMessage,
    ConversationSummary,
    NewMessage,
    batch_provider,
    batch_title,
    meta_from_json,
    meta_to_json,
)
from echotune.errors import NotFound, StorageError
from echotune.storage.sqlite.db import SqliteDb
from echotune.storage.sqlite.rows import first_as, to_db_time

_HEAD = "id, user_id, title, created_at, updated_at, message_count, last_provider"
_GET = f"SELECT {_HEAD} FROM conversations WHERE id = ? AND user_id = ?"
_OWNED = "SELECT 1 FROM conversations WHERE id = ? AND user_id = ?"
_CREATE = "INSERT INTO conversations (id, user_id, created_at, updated_at) VALUES (?, ?, ?, ?)"
NEXT_ORDER = (
    "SELECT coalesce(max(message_order) + 1, 0) FROM ai_conversations WHERE conversation_id = ?"
)
_INSERT = (
    "INSERT INTO ai_conversations "
    "(conversation_id, user_id, message_order, timestamp, role, content, meta) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
# updated_at only moves forward: a message stamped earlier than the newest
# (a slow turn finishing late) must not sink the conversation in the list.
_TOUCH = (
    "UPDATE conversations SET message_count = message_count + ?, "
    "updated_at = max(updated_at, ?), last_provider = coalesce(?, last_provider), "
    "title = CASE WHEN title = '' THEN ? ELSE title END WHERE id = ?"
)
_MESSAGE = (
    'conversation_id, user_id, message_order AS "order", timestamp AS created_at, '
    "role, content, meta"
)
_OF = f"SELECT {_MESSAGE} FROM ai_conversations WHERE conversation_id = ?"
MESSAGES = f"{_OF} ORDER BY message_order"
LAST_MESSAGES = f'SELECT * FROM ({_OF} ORDER BY message_order DESC LIMIT ?) ORDER BY "order"'
_RECENT = "ORDER BY updated_at DESC, id DESC LIMIT ?"
LIST = f"SELECT {_HEAD} FROM conversations WHERE user_id = ? {_RECENT}"
LIST_BEFORE = f"SELECT {_HEAD} FROM conversations WHERE user_id = ? AND updated_at < ? {_RECENT}"
_DELETE = "DELETE FROM conversations WHERE id = ? AND user_id = ?"
_DELETE_MESSAGES = "DELETE FROM ai_conversations WHERE conversation_id = ?"


_COLUMNS = ("conversation_id", "user_id", "order", "created_at", "role", "content", "meta")


def _summary(row: sqlite3.Row) -> ConversationSummary:
    return ConversationSummary.model_validate(dict(row))


def _message(fields: dict[str, object]) -> ChatMessage:
    fields["meta"] = meta_from_json(str(fields["meta"]))
    return ChatMessage.model_validate(fields)


def _not_found(conversation_id: str) -> NotFound:
    return NotFound(f"No conversation {conversation_id}")


def _store(
    conn: sqlite3.Connection, conversation_id: str, user_id: str, messages: Sequence[NewMessage]
) -> list[ChatMessage]:
    """Insert after the last message. The caller holds the write lock, so the
    next order read here is still free when the rows go in."""
    if not messages:
        return []
    start = int(conn.execute(NEXT_ORDER, (conversation_id,)).fetchone()[0])
    rows = [
        (conversation_id, user_id, start + i, to_db_time(m.created_at), m.role, m.content,
         meta_to_json(m.meta))
        for i, m in enumerate(messages)
    ]  # fmt: skip
    conn.executemany(_INSERT, rows)
    newest = max(row[3] for row in rows)
    touch = (len(rows), newest, batch_provider(messages), batch_title(messages), conversation_id)
    conn.execute(_TOUCH, touch)
    # Built from the rows as written, so they equal what a later read returns.
    return [_message(dict(zip(_COLUMNS, row, strict=True))) for row in rows]


class SqliteConversationRepo:
    def __init__(self, db: SqliteDb) -> None:
        self._db = db

    async def create(
        self, user_id: str, at: datetime, messages: Sequence[NewMessage] = ()
    ) -> ConversationSummary:
        conversation_id = uuid.uuid4().hex
        key = (conversation_id, user_id)

        def work(conn: sqlite3.Connection) -> ConversationSummary:
            conn.execute(_CREATE, (*key, to_db_time(at), to_db_time(at)))
            _store(conn, conversation_id, user_id, messages)
            created = first_as(conn.execute(_GET, key), _summary)
            if created is None:
                raise StorageError("A conversation vanished inside its own transaction")
            return created

        return await self._db.write(work)

    async def append(
        self, conversation_id: str, user_id: str, messages: Sequence[NewMessage]
    ) -> list[ChatMessage]:
        def work(conn: sqlite3.Connection) -> list[ChatMessage]:
            if conn.execute(_OWNED, (conversation_id, user_id)).fetchone() is None:
                raise _not_found(conversation_id)
            return _store(conn, conversation_id, user_id, messages)

        return await self._db.write(work)

    async def get(self, conversation_id: str, user_id: str) -> ConversationSummary | None:
        key = (conversation_id, user_id)
        return await self._db.run(lambda conn: first_as(conn.execute(_GET, key), _summary))

    async def messages(
        self, conversation_id: str, user_id: str, limit: int | None = None
    ) -> list[ChatMessage]:
        def work(conn: sqlite3.Connection) -> list[ChatMessage]:
            if conn.execute(_OWNED, (conversation_id, user_id)).fetchone() is None:
                raise _not_found(conversation_id)
            if limit is None:
                cursor = conn.execute(MESSAGES, (conversation_id,))
            elif limit <= 0:
                return []
            else:
                cursor = conn.execute(LAST_MESSAGES, (conversation_id, limit))
            return [_message(dict(row)) for row in cursor]

        return await self._db.run(work)

    async def list_for(
        self, user_id: str, limit: int, before: datetime | None = None
    ) -> list[ConversationSummary]:
        if limit <= 0:
            return []
        sql, params = LIST, [user_id, limit]
        if before is not None:
            sql, params = LIST_BEFORE, [user_id, to_db_time(before), limit]
        return await self._db.run(lambda conn: [_summary(r) for r in conn.execute(sql, params)])

    async def delete(self, conversation_id: str, user_id: str) -> bool:
        def work(conn: sqlite3.Connection) -> bool:
            if conn.execute(_DELETE, (conversation_id, user_id)).rowcount == 0:
                return False
            conn.execute(_DELETE_MESSAGES, (conversation_id,))
            return True

        return await self._db.write(work)
