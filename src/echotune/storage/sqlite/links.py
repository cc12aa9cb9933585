"""SpotifyLinkRepo and SyncStateRepo on SQLite."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from echotune.accounts.models import SpotifyLink, SyncState
from echotune.errors import Conflict
from echotune.storage.sqlite.db import SqliteDb
from echotune.storage.sqlite.rows import first_as, to_db_time

_LINK_COLS = (
    "user_id, spotify_user_id, display_name, product, scope, access_token_enc, "
    "refresh_token_enc, expires_at, status, status_reason, connected_at, updated_at"
)
_UPSERT = (
    f"INSERT INTO spotify_links ({_LINK_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (user_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _LINK_COLS.split(", ")[1:])
)
_OTHER_HOLDER = "SELECT user_id FROM spotify_links WHERE spotify_user_id = ? AND user_id != ?"
# A refresh racing a logout must not bring the tokens back: only connected links change.
_UPDATE_TOKENS = (
    "UPDATE spotify_links SET access_token_enc = ?, "
    "refresh_token_enc = coalesce(?, refresh_token_enc), expires_at = ?, updated_at = ? "
    "WHERE user_id = ? AND status = 'connected'"
)
_DISCONNECT = (
    "UPDATE spotify_links SET status = 'disconnected', status_reason = ?, "
    "access_token_enc = x'', refresh_token_enc = x'', updated_at = ? "
    "WHERE user_id = ? AND status = 'connected'"
)


def _link_row(link: SpotifyLink) -> tuple[object, ...]:
    return (
        link.user_id,
        link.spotify_user_id,
        link.display_name,
        link.product,
        link.scope,
        link.access_token_enc,
        link.refresh_token_enc,
        to_db_time(link.expires_at),
        link.status,
        link.status_reason,
        to_db_time(link.connected_at),
        to_db_time(link.updated_at),
    )


def _link(row: sqlite3.Row) -> SpotifyLink:
    # Column names match the model's fields; pydantic parses the ISO times.
    return SpotifyLink.model_validate(dict(row))


class SqliteSpotifyLinkRepo:
    def __init__(self, db: SqliteDb) -> None:
        self._db = db

    async def upsert(self, link: SpotifyLink) -> None:
        row = _link_row(link)

        def work(conn: sqlite3.Connection) -> None:
            # Checked first so the caller gets Conflict, not the UNIQUE failure.
            holder = conn.execute(_OTHER_HOLDER, (link.spotify_user_id, link.user_id)).fetchone()
            if holder is not None:
                raise Conflict("This Spotify account is already linked to another EchoTune user")
            conn.execute(_UPSERT, row)

        await self._db.write(work)

    async def get_for_user(self, user_id: str) -> SpotifyLink | None:
        return await self._one("user_id", user_id)

    async def get_by_spotify_id(self, spotify_user_id: str) -> SpotifyLink | None:
        return await self._one("spotify_user_id", spotify_user_id)

    async def list_connected(self) -> list[SpotifyLink]:
        sql = f"SELECT {_LINK_COLS} FROM spotify_links WHERE status = 'connected' ORDER BY user_id"
        return await self._db.run(lambda conn: [_link(r) for r in conn.execute(sql)])

    async def update_tokens(
        self,
        user_id: str,
        access_enc: bytes,
        refresh_enc: bytes | None,
        expires_at: datetime,
        at: datetime,
    ) -> bool:
        params = (access_enc, refresh_enc, to_db_time(expires_at), to_db_time(at), user_id)
        changed = await self._db.write(lambda conn: conn.execute(_UPDATE_TOKENS, params).rowcount)
        return changed == 1

    async def mark_disconnected(self, user_id: str, reason: str, at: datetime) -> bool:
        params = (reason, to_db_time(at), user_id)
        changed = await self._db.write(lambda conn: conn.execute(_DISCONNECT, params).rowcount)
        return changed == 1

    async def _one(self, column: str, value: str) -> SpotifyLink | None:
        # `column` is one of two literals above, never caller input.
        sql = f"SELECT {_LINK_COLS} FROM spotify_links WHERE {column} = ?"
        return await self._db.run(lambda conn: first_as(conn.execute(sql, (value,)), _link))


_STATE_COLS = "user_id, resource, cursor, done, updated_at"
_PUT_STATE = (
    f"INSERT INTO sync_state ({_STATE_COLS}) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (user_id, resource) DO UPDATE SET "
    "cursor = excluded.cursor, done = excluded.done, updated_at = excluded.updated_at"
)


def _state(row: sqlite3.Row) -> SyncState:
    return SyncState.model_validate(dict(row))


class SqliteSyncStateRepo:
    def __init__(self, db: SqliteDb) -> None:
        self._db = db

    async def get(self, user_id: str, resource: str) -> SyncState | None:
        sql = f"SELECT {_STATE_COLS} FROM sync_state WHERE user_id = ? AND resource = ?"
        params = (user_id, resource)
        return await self._db.run(lambda conn: first_as(conn.execute(sql, params), _state))

    async def put(self, state: SyncState) -> None:
        row = (
            state.user_id,
            state.resource,
            state.cursor,
            int(state.done),
            to_db_time(state.updated_at),
        )
        await self._db.write(lambda conn: conn.execute(_PUT_STATE, row).rowcount)

    async def list_for(self, user_id: str) -> list[SyncState]:
        sql = f"SELECT {_STATE_COLS} FROM sync_state WHERE user_id = ? ORDER BY resource"
        return await self._db.run(lambda conn: [_state(r) for r in conn.execute(sql, (user_id,))])
