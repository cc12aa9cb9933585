"""LoginAttemptRepo and SessionRepo on SQLite."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from echotune.accounts.models import LoginAttempt, Session
from echotune.storage.sqlite.db import SqliteDb
from echotune.storage.sqlite.rows import first_as, to_db_time

# Attempts nobody came back for are deleted this long after they started.
# (The MongoDB backend does the same with a TTL index.)
ATTEMPT_RETENTION = timedelta(days=1)

_ATTEMPT_COLS = "state, verifier, created_at, return_to"
_ADD_ATTEMPT = f"INSERT INTO login_attempts ({_ATTEMPT_COLS}) VALUES (?, ?, ?, ?)"
_PRUNE_ATTEMPTS = "DELETE FROM login_attempts WHERE created_at < ?"
# One statement: whoever deletes the row is the one who gets it, in any process.
_POP_ATTEMPT = f"DELETE FROM login_attempts WHERE state = ? RETURNING {_ATTEMPT_COLS}"

_SESSION_COLS = "id_hash, user_id, created_at, expires_at"
_ADD_SESSION = f"INSERT INTO auth_sessions ({_SESSION_COLS}) VALUES (?, ?, ?, ?)"
_PRUNE_SESSIONS = "DELETE FROM auth_sessions WHERE expires_at <= ?"
_GET_SESSION = f"SELECT {_SESSION_COLS} FROM auth_sessions WHERE id_hash = ? AND expires_at > ?"


def _attempt(row: sqlite3.Row) -> LoginAttempt:
    return LoginAttempt.model_validate(dict(row))


def _session(row: sqlite3.Row) -> Session:
    return Session.model_validate(dict(row))


class SqliteLoginAttemptRepo:
    def __init__(self, db: SqliteDb) -> None:
        self._db = db

    async def add(self, attempt: LoginAttempt) -> None:
        row = (attempt.state, attempt.verifier, to_db_time(attempt.created_at), attempt.return_to)
        stale = to_db_time(attempt.created_at - ATTEMPT_RETENTION)

        def work(conn: sqlite3.Connection) -> None:
            # Pruned here, on the index, because nothing else ever visits the
            # attempts nobody came back for.
            conn.execute(_PRUNE_ATTEMPTS, (stale,))
            conn.execute(_ADD_ATTEMPT, row)

        await self._db.write(work)

    async def pop(self, state: str, now: datetime, max_age: timedelta) -> LoginAttempt | None:
        def work(conn: sqlite3.Connection) -> LoginAttempt | None:
            # fetchall: a RETURNING statement must be run to its end before COMMIT.
            rows = conn.execute(_POP_ATTEMPT, (state,)).fetchall()
            return _attempt(rows[0]) if rows else None

        attempt = await self._db.write(work)
        # Compared as stored (UTC, to the millisecond), like every other time here.
        if attempt is None or to_db_time(attempt.created_at) <= to_db_time(now - max_age):
            return None
        return attempt


class SqliteSessionRepo:
    def __init__(self, db: SqliteDb) -> None:
        self._db = db

    async def add(self, session: Session) -> None:
        row = (
            session.id_hash,
            session.user_id,
            to_db_time(session.created_at),
            to_db_time(session.expires_at),
        )
        now = to_db_time(session.created_at)

        def work(conn: sqlite3.Connection) -> None:
            # Expired sessions go when a new one comes, so the table stays the
            # size of the signed-in population.
            conn.execute(_PRUNE_SESSIONS, (now,))
            conn.execute(_ADD_SESSION, row)

        await self._db.write(work)

    async def get_active(self, id_hash: str, now: datetime) -> Session | None:
        params = (id_hash, to_db_time(now))
        return await self._db.run(
            lambda conn: first_as(conn.execute(_GET_SESSION, params), _session)
        )

    async def delete(self, id_hash: str) -> bool:
        sql = "DELETE FROM auth_sessions WHERE id_hash = ?"
        return await self._db.write(lambda conn: conn.execute(sql, (id_hash,)).rowcount) == 1

    async def delete_for_user(self, user_id: str) -> int:
        sql = "DELETE FROM auth_sessions WHERE user_id = ?"
        count: int = await self._db.write(lambda conn: conn.execute(sql, (user_id,)).rowcount)
        return count
