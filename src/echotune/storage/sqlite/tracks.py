"""TrackRepo on SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Sequence
from functools import partial
from typing import Any

from echotune.catalog.models import Track, TrackQuery, UpsertResult
from echotune.storage.sqlite.db import SqliteDb
from echotune.storage.sqlite.rows import (
    FEATURE_COLUMNS,
    TRACK_COLUMNS,
    lc,
    track_from_row,
    track_to_row,
)

# Well under SQLite's bound-parameter limit (32766 since 3.32, 999 before).
_ID_CHUNK = 500
_COLS = ", ".join(TRACK_COLUMNS)
# The audio features are the last columns of a row.
_BARE = len(TRACK_COLUMNS) - len(FEATURE_COLUMNS)


def _upsert(bound: int) -> str:
    """An upsert of rows holding the first `bound` columns; the rest are NULL."""
    values = ["?"] * bound + ["NULL"] * (len(TRACK_COLUMNS) - bound)
    return (
        f"INSERT INTO tracks ({_COLS}) VALUES ({', '.join(values)}) "
        "ON CONFLICT (id) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in TRACK_COLUMNS if c != "id")
    )


_UPSERT = _upsert(len(TRACK_COLUMNS))
# A track without features (one a history import adds) binds none of their
# 13 NULLs: sqlite3 binds each None through its adapter lookup, ~0.7 µs.
_UPSERT_BARE = _upsert(_BARE)
_ORDER = "ORDER BY popularity DESC, id ASC"


def fetch_by_ids(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, Track]:
    found: dict[str, Track] = {}
    for start in range(0, len(ids), _ID_CHUNK):
        chunk = ids[start : start + _ID_CHUNK]
        marks = ", ".join("?" * len(chunk))
        for row in conn.execute(f"SELECT {_COLS} FROM tracks WHERE id IN ({marks})", chunk):
            found[row["id"]] = track_from_row(row)
    return found


def contains(column: str, needle: str) -> tuple[str, list[Any]]:
    # instr, not LIKE: the user's text needs no escaping of % and _.
    return f"instr({column}, ?) > 0", [lc(needle)]


def track_filter(query: TrackQuery) -> tuple[str, list[Any]]:
    """A WHERE clause (never empty) and its parameters for a track search."""
    parts: list[tuple[str, list[Any]]] = []
    for word in query.words:
        name, name_params = contains("name_lc", word)
        artist, artist_params = contains("artist_name_lc", word)
        parts.append((f"({name} OR {artist})", name_params + artist_params))
    if query.track:
        parts.append(contains("name_lc", query.track))
    if query.artist:
        parts.append(contains("artist_name_lc", query.artist))
    if query.album:
        parts.append(contains("album_name_lc", query.album))
    if query.genre:
        # Genre labels are ASCII, so SQLite's ASCII-only lower() folds them fully.
        genre, genre_params = contains("lower(genre)", query.genre)
        sub, sub_params = contains("lower(subgenre)", query.genre)
        parts.append((f"({genre} OR {sub})", genre_params + sub_params))
    # release_date is 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD': text order is date order.
    if query.year_from is not None:
        parts.append(("release_date >= ?", [f"{query.year_from:04d}"]))
    if query.year_to is not None:
        parts.append(("release_date < ?", [f"{query.year_to + 1:04d}"]))
    if not parts:
        return "1", []
    return " AND ".join(p[0] for p in parts), [v for p in parts for v in p[1]]


class SqliteTrackRepo:
    def __init__(self, db: SqliteDb) -> None:
        self._db = db

    async def upsert_many(self, tracks: Sequence[Track]) -> UpsertResult:
        latest = {t.id: t for t in tracks}  # a repeated id keeps its last copy
        if not latest:
            return UpsertResult()

        def work(conn: sqlite3.Connection) -> UpsertResult:
            existing = fetch_by_ids(conn, list(latest))
            writes = [t for i, t in latest.items() if existing.get(i) != t]
            full = [track_to_row(t) for t in writes if t.features is not None]
            bare = [track_to_row(t)[:_BARE] for t in writes if t.features is None]
            conn.executemany(_UPSERT, full)
            conn.executemany(_UPSERT_BARE, bare)
            inserted = sum(1 for t in writes if t.id not in existing)
            return UpsertResult(
                inserted=inserted,
                updated=len(writes) - inserted,
                unchanged=len(latest) - len(writes),
            )

        return await self._db.write(work)

    async def get_many(self, ids: Sequence[str]) -> list[Track]:
        wanted = list(ids)
        found = await self._db.run(lambda conn: fetch_by_ids(conn, list(dict.fromkeys(wanted))))
        return [found[i] for i in wanted if i in found]

    async def count(self) -> int:
        return await self._db.run(
            lambda conn: int(conn.execute("SELECT count(*) FROM tracks").fetchone()[0])
        )

    async def iter_all(self, batch_size: int = 5000) -> AsyncIterator[list[Track]]:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        after = ""  # every id is non-empty, so '' sorts before all of them
        while True:
            batch = await self._db.run(partial(_page_after, after=after, size=batch_size))
            if not batch:
                return
            yield batch
            if len(batch) < batch_size:
                return
            after = batch[-1].id

    async def search(self, query: TrackQuery, limit: int, offset: int) -> tuple[list[Track], int]:
        where, params = track_filter(query)

        def work(conn: sqlite3.Connection) -> tuple[list[Track], int]:
            count_sql = f"SELECT count(*) FROM tracks WHERE {where}"
            total = int(conn.execute(count_sql, params).fetchone()[0])
            rows = conn.execute(
                f"SELECT {_COLS} FROM tracks WHERE {where} {_ORDER} LIMIT ? OFFSET ?",
                [*params, max(limit, 0), max(offset, 0)],
            )
            return [track_from_row(r) for r in rows], total

        return await self._db.run(work)


def _page_after(conn: sqlite3.Connection, after: str, size: int) -> list[Track]:
    rows = conn.execute(
        f"SELECT {_COLS} FROM tracks WHERE id > ? ORDER BY id LIMIT ?", (after, size)
    )
    return [track_from_row(r) for r in rows]
