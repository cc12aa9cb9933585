"""Documents <-> domain models for the MongoDB backend (camelCase fields)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from echotune.catalog.models import FEATURE_NAMES, AudioFeatures, Track
from echotune.users.models import ApiToken, User

Doc = dict[str, Any]


def camel(snake: str) -> str:
    first, *rest = snake.split("_")
    return first + "".join(part.title() for part in rest)


_FEATURE_FIELDS: dict[str, str] = {name: camel(name) for name in FEATURE_NAMES}
_TRACK_FIELDS: dict[str, str] = {
    "name": "name",
    "artist_id": "artistId",
    "artist_name": "artistName",
    "album_id": "albumId",
    "album_name": "albumName",
    "release_date": "releaseDate",
    "popularity": "popularity",
    "duration_ms": "durationMs",
    "explicit": "explicit",
    "genre": "genre",
    "subgenre": "subgenre",
}


def track_to_doc(t: Track) -> Doc:
    doc: Doc = {"_id": t.id}
    doc.update({field: getattr(t, attr) for attr, field in _TRACK_FIELDS.items()})
    f = t.features
    doc["audioFeatures"] = (
        None if f is None else {field: getattr(f, n) for n, field in _FEATURE_FIELDS.items()}
    )
    return doc


def track_from_doc(doc: Doc) -> Track:
    raw = doc.get("audioFeatures")
    features = (
        None
        if raw is None
        else AudioFeatures(**{n: raw[field] for n, field in _FEATURE_FIELDS.items()})
    )
    fields = {attr: doc.get(field) for attr, field in _TRACK_FIELDS.items()}
    return Track(id=doc["_id"], features=features, **fields)


def to_bson_time(value: datetime) -> datetime:
    """UTC, truncated to the millisecond a BSON date holds, so what is written
    is exactly what is read back."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def user_to_doc(u: User) -> Doc:
    return {"_id": u.id, "name": u.name, "createdAt": to_bson_time(u.created_at)}


def user_from_doc(doc: Doc) -> User:
    return User(id=doc["_id"], name=doc["name"], created_at=doc["createdAt"])


def token_to_doc(t: ApiToken) -> Doc:
    return {
        "_id": t.id,
        "userId": t.user_id,
        "tokenHash": t.token_hash,
        "createdAt": to_bson_time(t.created_at),
        "revokedAt": None if t.revoked_at is None else to_bson_time(t.revoked_at),
        "lastUsedAt": None if t.last_used_at is None else to_bson_time(t.last_used_at),
    }


def token_from_doc(doc: Doc) -> ApiToken:
    return ApiToken(
        id=doc["_id"],
        user_id=doc["userId"],
        token_hash=doc["tokenHash"],
        created_at=doc["createdAt"],
        revoked_at=doc.get("revokedAt"),
        last_used_at=doc.get("lastUsedAt"),
    )
