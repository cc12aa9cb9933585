"""SQLite only: migration 0002 keeps v1's plays, and the hot queries use the primary key."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from echotune.storage.sqlite import SqliteStorage
from echotune.storage.sqlite import migrate as migrate_module
from echotune.storage.sqlite.listening import _ORDER, _PAGE, _STATS


async def _v1_file(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = migrate_module.load_migrations()
    with monkeypatch.context() as patch:
        patch.setattr(migrate_module, "load_migrations", lambda: real[:1])
        await (await SqliteStorage.open(path)).close()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("INSERT INTO users (id, name, created_at) VALUES ('u1', 'old', '2020')")
        rows = [
            ("u1", "t1", "2020-01-01T00:00:00.000+00:00", 1000, 1),
            ("u1", "t1", "2020-01-01T00:00:00.000+00:00", 9999, 0),  # v1 had no unique key
            ("u1", "t2", "2020-01-02T00:00:00.000+00:00", 200_000, 0),
        ]
        conn.executemany(
            "INSERT INTO listening_events (user_id, track_id, played_at, ms_played, skipped) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )
    finally:
        conn.close()


async def test_migration_keeps_v1_plays_first_copy_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "v1.db"
    await _v1_file(path, monkeypatch)
    storage = await SqliteStorage.open(path)
    try:
        plays = await storage.listening.page("u1", None, 10)
        assert [(p.track_id, p.ms_played, p.skipped) for p in plays] == [
            ("t2", 200_000, False),
            ("t1", 1000, True),
        ]
        assert plays[1].played_at == datetime(2020, 1, 1, tzinfo=UTC)
        assert (await storage.status()).indexes_present
    finally:
        await storage.close()


def _plan(path: Path, sql: str, params: tuple[object, ...]) -> str:
    conn = sqlite3.connect(path)
    try:
        return " | ".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))
    finally:
        conn.close()


async def test_history_and_stats_read_a_primary_key_range(tmp_path: Path) -> None:
    path = tmp_path / "plans.db"
    await (await SqliteStorage.open(path)).close()
    page = _plan(path, _PAGE + _ORDER, ("u", "2020", 10))
    assert "USING PRIMARY KEY (user_id=? AND played_at<?)" in page
    assert "TEMP B-TREE" not in page  # newest first straight off the key
    stats = _plan(path, _STATS, ("u", "", 10))
    assert "USING PRIMARY KEY (user_id=?)" in stats
