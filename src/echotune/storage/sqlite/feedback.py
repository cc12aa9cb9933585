"""FeedbackRepo on SQLite: an append-only table, read newest first."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from echotune.listening.models import Feedback
from echotune.storage.sqlite.db import SqliteDb
from echotune.storage.sqlite.rows import to_db_time

_ADD = "INSERT INTO feedback (user_id, track_id, kind, at) VALUES (?, ?, ?, ?)"
# Equal times (to the millisecond) keep the order they were added in.
_LIST = (
    "SELECT user_id, track_id, kind, at FROM feedback WHERE user_id = ? "
    "ORDER BY at DESC, id DESC LIMIT ?"
)


def _feedback(row: sqlite3.Row) -> Feedback:
    return Feedback(
        user_id=row["user_id"],
        track_id=row["track_id"],
        kind=row["kind"],
        at=datetime.fromisoformat(row["at"]),
    )


class SqliteFeedbackRepo:
    def __init__(self, db: SqliteDb) -> None:
        self._db = db

    async def add(self, feedback: Feedback) -> None:
        row = (feedback.user_id, feedback.track_id, feedback.kind, to_db_time(feedback.at))
        await self._db.write(lambda conn: conn.execute(_ADD, row).rowcount)

    async def list_for(self, user_id: str, limit: int = 1000) -> list[Feedback]:
        if limit <= 0:
            return []
        rows = await self._db.run(lambda conn: conn.execute(_LIST, (user_id, limit)).fetchall())
        return [_feedback(r) for r in rows]
