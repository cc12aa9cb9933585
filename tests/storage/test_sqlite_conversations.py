"""SQLite only: the conversation queries use their indexes, and migration 0004
keeps messages stored before it readable."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from echotune.storage.sqlite import SqliteStorage
from echotune.storage.sqlite import migrate as migrate_module
from echotune.storage.sqlite.conversations import (
    LAST_MESSAGES,
    LIST,
    LIST_BEFORE,
    MESSAGES,
    NEXT_ORDER,
)
from echotune.storage.sqlite.migrate import load_migrations


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    opened = await SqliteStorage.open(tmp_path / "echotune.db")
    yield opened
    await opened.close()


def plan(path: Path, sql: str, params: tuple[object, ...]) -> str:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    conn.close()
    return " | ".join(str(row[-1]) for row in rows)


@pytest.mark.parametrize(
    ("sql", "params", "index"),
    [
        (LIST, ("u", 20), "ix_conversations_user_recent"),
        (LIST_BEFORE, ("u", "2024", 20), "ix_conversations_user_recent"),
        (NEXT_ORDER, ("c",), "ix_ai_conversations_order"),
        (MESSAGES, ("c",), "ix_ai_conversations_order"),
        (LAST_MESSAGES, ("c", 20), "ix_ai_conversations_order"),
        ("DELETE FROM ai_conversations WHERE conversation_id = ?", ("c",),
         "ix_ai_conversations_order"),
    ],
)  # fmt: skip
async def test_hot_queries_use_their_index(
    storage: SqliteStorage, sql: str, params: tuple[object, ...], index: str
) -> None:
    found = plan(storage.path, sql, params)
    assert index in found
    # Read in index order: no sort of everything the user or conversation has.
    if "LIMIT" in sql and "SELECT * FROM (" not in sql:
        assert "TEMP B-TREE" not in found


async def test_messages_stored_before_0004_get_their_conversation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "echotune.db"
    real = load_migrations()
    monkeypatch.setattr(migrate_module, "load_migrations", lambda: real[:3])
    old = await SqliteStorage.open(path)
    user, _ = await old.users.get_or_create("alice")
    await old.close()
    rows = [
        ("c1", user.id, 0, "2024-05-01T09:30:00.000+00:00", "system", "You are EchoTune"),
        ("c1", user.id, 1, "2024-05-01T09:30:01.000+00:00", "user", "  Calm songs please "),
        ("c1", user.id, 2, "2024-05-01T09:30:02.000+00:00", "assistant", "Here you go"),
    ]
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO ai_conversations (conversation_id, user_id, message_order, timestamp, "
            "role, content) VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
    conn.close()
    monkeypatch.setattr(migrate_module, "load_migrations", lambda: real)
    storage = await SqliteStorage.open(path)
    try:
        summary = await storage.conversations.get("c1", user.id)
        assert summary is not None
        assert (summary.title, summary.message_count) == ("Calm songs please", 3)
        assert summary.created_at == datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
        assert summary.updated_at == datetime(2024, 5, 1, 9, 30, 2, tzinfo=UTC)
        messages = await storage.conversations.messages("c1", user.id)
        assert [(m.order, m.meta) for m in messages] == [(0, {}), (1, {}), (2, {})]
        await storage.conversations.append("c1", user.id, [])
        assert (await storage.status()).indexes_present
    finally:
        await storage.close()
