"""What only the SQLite backend has: the file, its pragmas, migrations, one worker thread."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from echotune.errors import StorageError
from echotune.storage.sqlite import SqliteStorage
from echotune.storage.sqlite import migrate as migrate_module
from echotune.storage.sqlite.db import SqliteDb
from echotune.storage.sqlite.migrate import Migration, load_migrations, migrate, split_statements
from echotune.users.models import ApiToken


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[SqliteDb]:
    sqlite_db = SqliteDb(tmp_path / "raw.db")
    await sqlite_db.open()
    yield sqlite_db
    await sqlite_db.close()


def user_version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    conn.close()
    return int(version)


async def test_open_migrates_to_the_latest_version_once(tmp_path: Path) -> None:
    path = tmp_path / "echotune.db"
    latest = load_migrations()[-1].version
    assert [m.version for m in load_migrations()] == list(range(1, latest + 1))
    storage = await SqliteStorage.open(path)
    await storage.close()
    assert user_version(path) == latest
    # Reopening applies nothing and keeps the data.
    storage = await SqliteStorage.open(path)
    await storage.users.get_or_create("alice")
    await storage.close()
    storage = await SqliteStorage.open(path)
    assert [u.name for u in await storage.users.list_all()] == ["alice"]
    await storage.close()
    conn = sqlite3.connect(path)
    try:
        assert migrate(conn) == []
    finally:
        conn.close()


async def test_a_failing_migration_leaves_the_schema_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "echotune.db"
    await (await SqliteStorage.open(path)).close()  # opened only to migrate
    broken = Migration(
        version=len(load_migrations()) + 1,
        name="broken.sql",
        sql="CREATE TABLE half_done (x INTEGER);\nINSERT INTO no_such_table VALUES (1);\n",
    )
    real = load_migrations()
    monkeypatch.setattr(migrate_module, "load_migrations", lambda: [*real, broken])
    with pytest.raises(StorageError):
        await SqliteStorage.open(path)
    conn = sqlite3.connect(path)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "half_done" not in tables
        assert int(conn.execute("PRAGMA user_version").fetchone()[0]) == len(real)
    finally:
        conn.close()


async def test_pragmas_and_tables(db: SqliteDb) -> None:
    await db.run(migrate)
    pragmas = await db.run(
        lambda c: [
            c.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("journal_mode", "foreign_keys", "synchronous")
        ]
    )
    assert pragmas == ["wal", 1, 1]  # synchronous 1 is NORMAL
    tables = await db.run(
        lambda c: {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    )
    expected = {"tracks", "users", "api_tokens", "listening_events", "user_sessions"}
    assert expected | {"ai_conversations"} <= tables


async def test_every_call_runs_on_one_worker_thread(db: SqliteDb) -> None:
    threads = {await db.run(lambda _c: threading.get_ident()) for _ in range(5)}
    assert len(threads) == 1
    assert threads != {threading.get_ident()}


async def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    storage = await SqliteStorage.open(tmp_path / "echotune.db")
    try:
        orphan = ApiToken(id="k", user_id="ghost", token_hash="h", created_at=datetime.now(UTC))
        with pytest.raises(StorageError):
            await storage.tokens.add(orphan)
    finally:
        await storage.close()


async def test_status_names_a_missing_index(tmp_path: Path) -> None:
    path = tmp_path / "echotune.db"
    await (await SqliteStorage.open(path)).close()
    with sqlite3.connect(path) as conn:
        conn.execute("DROP INDEX ix_tracks_genre")
    conn.close()
    storage = await SqliteStorage.open(path)
    try:
        status = await storage.status()
        assert status.reachable and not status.indexes_present
        assert status.missing_indexes == ["ix_tracks_genre"]
    finally:
        await storage.close()


def test_split_statements_respects_comments_and_strings() -> None:
    script = (
        "-- a; comment\nCREATE TABLE t (x TEXT DEFAULT ';');\n\nINSERT INTO t VALUES ('a;b');\n"
    )
    assert split_statements(script) == [
        "-- a; comment\nCREATE TABLE t (x TEXT DEFAULT ';');",
        "INSERT INTO t VALUES ('a;b');",
    ]
    with pytest.raises(ValueError):
        split_statements("CREATE TABLE t (x")
