"""SQLite only: migration 0003's tables prune what nobody will ask for again, and
the hot lookups use their indexes."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from echotune.accounts.models import LoginAttempt, Session
from echotune.storage.sqlite import SqliteStorage
from echotune.storage.sqlite.auth import ATTEMPT_RETENTION

T0 = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    opened = await SqliteStorage.open(tmp_path / "echotune.db")
    yield opened
    await opened.close()


def count(storage: SqliteStorage, table: str) -> int:
    with sqlite3.connect(storage.path) as conn:
        n = int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    conn.close()
    return n


def attempt(state: str, at: datetime) -> LoginAttempt:
    return LoginAttempt(state=state.ljust(16, "_"), verifier="v", created_at=at)


async def test_adding_an_attempt_prunes_day_old_ones(storage: SqliteStorage) -> None:
    await storage.login_attempts.add(attempt("old", T0))
    await storage.login_attempts.add(attempt("recent", T0 + timedelta(hours=1)))
    await storage.login_attempts.add(attempt("new", T0 + ATTEMPT_RETENTION))
    assert count(storage, "login_attempts") == 3
    # A day after "recent": "old" and "recent" go, "new" (exactly a day old) stays.
    await storage.login_attempts.add(attempt("newer", T0 + ATTEMPT_RETENTION + timedelta(hours=2)))
    assert count(storage, "login_attempts") == 2


async def test_adding_a_session_prunes_expired_ones(storage: SqliteStorage) -> None:
    user, _ = await storage.users.get_or_create("alice")
    short = Session(
        id_hash="a" * 64, user_id=user.id, created_at=T0, expires_at=T0 + timedelta(hours=1)
    )
    later = Session(
        id_hash="b" * 64,
        user_id=user.id,
        created_at=T0 + timedelta(hours=1),
        expires_at=T0 + timedelta(days=30),
    )
    await storage.sessions.add(short)
    await storage.sessions.add(later)
    assert count(storage, "auth_sessions") == 1
    assert await storage.sessions.get_active("b" * 64, later.created_at) == later


@pytest.mark.parametrize(
    ("sql", "index"),
    [
        (
            "SELECT * FROM spotify_links WHERE status = 'connected' ORDER BY user_id",
            "ix_spotify_links_status",
        ),
        ("DELETE FROM login_attempts WHERE created_at < '2024'", "ix_login_attempts_created"),
        ("DELETE FROM auth_sessions WHERE user_id = 'u'", "ix_auth_sessions_user"),
        ("DELETE FROM auth_sessions WHERE expires_at <= '2024'", "ix_auth_sessions_expires"),
    ],
)
async def test_hot_queries_use_their_index(storage: SqliteStorage, sql: str, index: str) -> None:
    with sqlite3.connect(storage.path) as conn:
        plan = " ".join(str(row[-1]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
    conn.close()
    assert index in plan
