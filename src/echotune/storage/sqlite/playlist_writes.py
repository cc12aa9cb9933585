"""PlaylistWriteRepo on SQLite: the idempotency ledger of playlist writes."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from echotune.accounts.models import PlaylistWrite
from echotune.errors import StorageError
from echotune.storage.sqlite.db import SqliteDb
from echotune.storage.sqlite.rows import first_as, to_db_time

_COLS = (
    "user_id, request_key, payload_hash, owner, lease_until, playlist_id, snapshot_id, "
    "items_added, done, created_at, updated_at"
)
_INSERT = (
    f"INSERT INTO playlist_writes ({_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (user_id, request_key) DO NOTHING"
)
_TAKE_OVER = (
    "UPDATE playlist_writes SET owner = ?, lease_until = ?, updated_at = ? "
    "WHERE user_id = ? AND request_key = ? AND done = 0 AND payload_hash = ? "
    "AND (lease_until <= ? OR owner = ?)"
)
_GET = f"SELECT {_COLS} FROM playlist_writes WHERE user_id = ? AND request_key = ?"
_SAVE = (
    "UPDATE playlist_writes SET playlist_id = ?, snapshot_id = ?, items_added = ?, done = ?, "
    "lease_until = ?, updated_at = ? WHERE user_id = ? AND request_key = ? AND owner = ?"
)


def _write(row: sqlite3.Row) -> PlaylistWrite:
    return PlaylistWrite.model_validate(dict(row))


class SqlitePlaylistWriteRepo:
    def __init__(self, db: SqliteDb) -> None:
        self._db = db

    async def claim(self, write: PlaylistWrite, now: datetime) -> PlaylistWrite:
        row = (
            write.user_id,
            write.request_key,
            write.payload_hash,
            write.owner,
            to_db_time(write.lease_until),
            write.playlist_id,
            write.snapshot_id,
            write.items_added,
            int(write.done),
            to_db_time(write.created_at),
            to_db_time(write.updated_at),
        )
        key = (write.user_id, write.request_key)
        take_over = (
            write.owner,
            to_db_time(write.lease_until),
            to_db_time(write.updated_at),
            *key,
            write.payload_hash,
            to_db_time(now),
            write.owner,
        )

        def work(conn: sqlite3.Connection) -> PlaylistWrite:
            # One transaction under the write lock: insert, or take over, or
            # leave alone, and read back what that decided.
            if conn.execute(_INSERT, row).rowcount == 0:
                conn.execute(_TAKE_OVER, take_over)
            stored = first_as(conn.execute(_GET, key), _write)
            if stored is None:
                raise StorageError("A playlist-write entry vanished inside its own transaction")
            return stored

        return await self._db.write(work)

    async def get(self, user_id: str, request_key: str) -> PlaylistWrite | None:
        key = (user_id, request_key)
        return await self._db.run(lambda conn: first_as(conn.execute(_GET, key), _write))

    async def save(self, write: PlaylistWrite) -> bool:
        params = (
            write.playlist_id,
            write.snapshot_id,
            write.items_added,
            int(write.done),
            to_db_time(write.lease_until),
            to_db_time(write.updated_at),
            write.user_id,
            write.request_key,
            write.owner,
        )
        return await self._db.write(lambda conn: conn.execute(_SAVE, params).rowcount) == 1
