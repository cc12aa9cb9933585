"""ArtistRepo on SQLite: artists are grouped out of the tracks table on demand."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from echotune.catalog.models import Artist
from echotune.storage.sqlite.db import SqliteDb
from echotune.storage.sqlite.tracks import contains

# min(artist_name): tracks of one artist may spell it differently; any fixed
# choice will do as long as every backend makes the same one.
_AGGREGATE = """
SELECT artist_id, min(artist_name) AS name, max(popularity) AS popularity,
       count(*) AS track_count, json_group_array(DISTINCT genre) AS genres
FROM tracks
WHERE {where}
GROUP BY artist_id
"""


def _artist(row: sqlite3.Row) -> Artist:
    genres = sorted(g for g in json.loads(row["genres"]) if g is not None)
    return Artist(
        id=row["artist_id"],
        name=row["name"],
        genres=genres,
        popularity=row["popularity"],
        track_count=row["track_count"],
    )


def _name_filter(words: Sequence[str]) -> tuple[str, list[Any]]:
    parts = [contains("artist_name_lc", w) for w in words if w]
    if not parts:
        return "1", []
    return " AND ".join(p[0] for p in parts), [v for p in parts for v in p[1]]


class SqliteArtistRepo:
    def __init__(self, db: SqliteDb) -> None:
        self._db = db

    async def get(self, artist_id: str) -> Artist | None:
        sql = _AGGREGATE.format(where="artist_id = ?")

        def work(conn: sqlite3.Connection) -> Artist | None:
            row = conn.execute(sql, (artist_id,)).fetchone()
            return None if row is None else _artist(row)

        return await self._db.run(work)

    async def search(
        self, words: Sequence[str], limit: int, offset: int
    ) -> tuple[list[Artist], int]:
        name_where, params = _name_filter(words)
        # Match on any track's spelling, then aggregate over all the artist's
        # tracks, so counts and genres do not depend on the words searched.
        matching = f"SELECT DISTINCT artist_id FROM tracks WHERE {name_where}"
        sql = _AGGREGATE.format(where=f"artist_id IN ({matching})")

        def work(conn: sqlite3.Connection) -> tuple[list[Artist], int]:
            total = int(conn.execute(f"SELECT count(*) FROM ({matching})", params).fetchone()[0])
            page = conn.execute(
                f"{sql} ORDER BY popularity DESC, artist_id ASC LIMIT ? OFFSET ?",
                [*params, max(limit, 0), max(offset, 0)],
            )
            return [_artist(r) for r in page], total

        return await self._db.run(work)
