"""FeedbackRepo on SQLite: one table, read newest first.

The listener's own events have no source and are an append-only log; sourced
entries are unique per (user, source, kind, track) by a partial index, so
`add_many` is an INSERT ... ON CONFLICT DO NOTHING counted by its row count.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Sequence
from datetime import datetime

from echotune.listening.models import Feedback, FeedbackKind
from echotune.storage.sqlite.db import SqliteDb
from echotune.storage.sqlite.rows import to_db_time

_ADD = "INSERT INTO feedback (user_id, track_id, kind, at) VALUES (?, ?, ?, ?)"
_ADD_SOURCED = (
    "INSERT INTO feedback (user_id, track_id, kind, at, source) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT DO NOTHING"
)
# json_each keeps the statement one parameter long however many tracks are kept.
_RETAIN = (
    "DELETE FROM feedback WHERE user_id = ? AND source = ? AND kind = ? "
    "AND track_id NOT IN (SELECT value FROM json_each(?))"
)
# Equal times (to the millisecond) keep the order they were added in.
_LIST = (
    "SELECT user_id, track_id, kind, at, source FROM feedback WHERE user_id = ? "
    "ORDER BY at DESC, id DESC LIMIT ?"
)
_COUNT = "SELECT COUNT(*) FROM feedback WHERE user_id = ?"


def _feedback(row: sqlite3.Row) -> Feedback:
    return Feedback(
        user_id=row["user_id"],
        track_id=row["track_id"],
        kind=row["kind"],
        at=datetime.fromisoformat(row["at"]),
        source=row["source"] or None,
    )


def _source(source: str) -> str:
    if not source:
        raise ValueError("a feedback source must be named")
    return source


def _own(feedback: Feedback) -> None:
    if feedback.source is not None:
        raise ValueError(f"`add` takes the listener's own feedback; use add_many for {feedback.source!r}")


class SqliteFeedbackRepo:
    def __init__(self, db: SqliteDb) -> None:
        self._db = db

    async def add(self, feedback: Feedback) -> None:
        _own(feedback)
        row = (feedback.user_id, feedback.track_id, feedback.kind, to_db_time(feedback.at))
        await self._db.write(lambda conn: conn.execute(_ADD, row).rowcount)

    async def add_many(self, feedback: Sequence[Feedback], source: str) -> int:
        src = _source(source)
        rows = [(f.user_id, f.track_id, f.kind, to_db_time(f.at), src) for f in feedback]
        if not rows:
            return 0
        return await self._db.write(lambda conn: conn.executemany(_ADD_SOURCED, rows).rowcount)

    async def retain(
        self, user_id: str, source: str, kind: FeedbackKind, track_ids: Collection[str]
    ) -> int:
        params = (user_id, _source(source), kind, json.dumps(sorted(track_ids)))
        return await self._db.write(lambda conn: conn.execute(_RETAIN, params).rowcount)

    async def list_for(self, user_id: str, limit: int = 1000) -> list[Feedback]:
        if limit <= 0:
            return []
        rows = await self._db.run(lambda conn: conn.execute(_LIST, (user_id, limit)).fetchall())
        return [_feedback(r) for r in rows]

    async def count(self, user_id: str) -> int:
        row = await self._db.run(lambda conn: conn.execute(_COUNT, (user_id,)).fetchone())
        return int(row[0])
