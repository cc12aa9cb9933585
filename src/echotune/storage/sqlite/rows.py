"""Rows <-> domain models for the SQLite backend."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from echotune.catalog.models import FEATURE_NAMES, AudioFeatures, Track
from echotune.users.models import ApiToken, User

T = TypeVar("T")

# AudioFeatures.duration_ms would clash with Track.duration_ms as a column.
FEATURE_COLUMNS: dict[str, str] = {
    name: ("feature_duration_ms" if name == "duration_ms" else name) for name in FEATURE_NAMES
}
TRACK_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "artist_id",
    "artist_name",
    "album_id",
    "album_name",
    "release_date",
    "popularity",
    "duration_ms",
    "explicit",
    "genre",
    "subgenre",
    "name_lc",
    "artist_name_lc",
    "album_name_lc",
    *FEATURE_COLUMNS.values(),
)


def lc(text: str | None) -> str | None:
    """The folded form search compares, the same for stored text and query words."""
    return None if text is None else text.lower()


def track_to_row(t: Track) -> tuple[Any, ...]:
    f = t.features
    features = [getattr(f, name) for name in FEATURE_NAMES] if f else [None] * len(FEATURE_NAMES)
    return (
        t.id,
        t.name,
        t.artist_id,
        t.artist_name,
        t.album_id,
        t.album_name,
        t.release_date,
        t.popularity,
        t.duration_ms,
        int(t.explicit),
        t.genre,
        t.subgenre,
        lc(t.name),
        lc(t.artist_name),
        lc(t.album_name),
        *features,
    )


def track_from_row(row: sqlite3.Row) -> Track:
    features = None
    if row["energy"] is not None:
        features = AudioFeatures(**{name: row[col] for name, col in FEATURE_COLUMNS.items()})
    return Track(
        id=row["id"],
        name=row["name"],
        artist_id=row["artist_id"],
        artist_name=row["artist_name"],
        album_id=row["album_id"],
        album_name=row["album_name"],
        release_date=row["release_date"],
        popularity=row["popularity"],
        duration_ms=row["duration_ms"],
        explicit=bool(row["explicit"]),
        genre=row["genre"],
        subgenre=row["subgenre"],
        features=features,
    )


def to_db_time(value: datetime) -> str:
    """UTC ISO text, kept to the millisecond like a BSON date, so every backend
    hands back the same instant and text order is time order."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    value = value.replace(microsecond=value.microsecond // 1000 * 1000)
    return value.isoformat(timespec="milliseconds")


def from_db_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def user_from_row(row: sqlite3.Row) -> User:
    return User(
        id=row["id"], name=row["name"], created_at=datetime.fromisoformat(row["created_at"])
    )


def token_from_row(row: sqlite3.Row) -> ApiToken:
    return ApiToken(
        id=row["id"],
        user_id=row["user_id"],
        token_hash=row["token_hash"],
        created_at=datetime.fromisoformat(row["created_at"]),
        revoked_at=from_db_time(row["revoked_at"]),
        last_used_at=from_db_time(row["last_used_at"]),
    )


def first_as(cursor: sqlite3.Cursor, build: Callable[[sqlite3.Row], T]) -> T | None:
    """The first row, built into a model. Called on the worker thread, so an
    invalid row becomes a StorageError there like any other failure."""
    row = cursor.fetchone()
    return None if row is None else build(row)
