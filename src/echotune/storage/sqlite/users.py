"""UserRepo and TokenRepo on SQLite."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime

from echotune.storage.sqlite.db import SqliteDb
from echotune.storage.sqlite.rows import to_db_time, token_from_row, user_from_row
from echotune.users.models import ApiToken, User

_TOKEN_COLS = "id, user_id, token_hash, created_at, revoked_at, last_used_at"


class SqliteUserRepo:
    def __init__(self, db: SqliteDb) -> None:
        self._db = db

    async def get_or_create(self, name: str) -> tuple[User, bool]:
        new_id = uuid.uuid4().hex
        created_at = to_db_time(datetime.now(UTC))

        def work(conn: sqlite3.Connection) -> tuple[User, bool]:
            # The unique name decides a race between two creators, even across processes.
            cur = conn.execute(
                "INSERT INTO users (id, name, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO NOTHING",
                (new_id, name, created_at),
            )
            row = conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
            return user_from_row(row), cur.rowcount == 1

        return await self._db.write(work)

    async def get(self, user_id: str) -> User | None:
        return await self._one("SELECT * FROM users WHERE id = ?", user_id)

    async def get_by_name(self, name: str) -> User | None:
        return await self._one("SELECT * FROM users WHERE name = ?", name)

    async def list_all(self) -> list[User]:
        rows = await self._db.run(
            lambda conn: conn.execute("SELECT * FROM users ORDER BY name").fetchall()
        )
        return [user_from_row(r) for r in rows]

    async def _one(self, sql: str, value: str) -> User | None:
        row = await self._db.run(lambda conn: conn.execute(sql, (value,)).fetchone())
        return None if row is None else user_from_row(row)


class SqliteTokenRepo:
    def __init__(self, db: SqliteDb) -> None:
        self._db = db

    async def add(self, token: ApiToken) -> None:
        row = (
            token.id,
            token.user_id,
            token.token_hash,
            to_db_time(token.created_at),
            None if token.revoked_at is None else to_db_time(token.revoked_at),
            None if token.last_used_at is None else to_db_time(token.last_used_at),
        )
        sql = f"INSERT INTO api_tokens ({_TOKEN_COLS}) VALUES (?, ?, ?, ?, ?, ?)"
        await self._db.write(lambda conn: conn.execute(sql, row).rowcount)

    async def find_active(self, token_hash: str) -> ApiToken | None:
        sql = f"SELECT {_TOKEN_COLS} FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL"
        row = await self._db.run(lambda conn: conn.execute(sql, (token_hash,)).fetchone())
        return None if row is None else token_from_row(row)

    async def list_for(self, user_id: str | None = None) -> list[ApiToken]:
        sql = f"SELECT {_TOKEN_COLS} FROM api_tokens"
        params: tuple[str, ...] = ()
        if user_id is not None:
            sql, params = f"{sql} WHERE user_id = ?", (user_id,)
        sql += " ORDER BY created_at, id"
        rows = await self._db.run(lambda conn: conn.execute(sql, params).fetchall())
        return [token_from_row(r) for r in rows]

    async def revoke(self, token_id: str) -> bool:
        now = to_db_time(datetime.now(UTC))
        sql = "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"
        changed = await self._db.write(lambda conn: conn.execute(sql, (now, token_id)).rowcount)
        return changed == 1
