"""Collections, indexes and the tracks validator, created idempotently at open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import CollectionInvalid, OperationFailure

Doc = dict[str, Any]

TRACKS = "tracks"
USERS = "users"
API_TOKENS = "apiTokens"
LISTENING_EVENTS = "listeningEvents"
LISTENING_STAGE = "listeningStage"
FEEDBACK = "feedback"
USER_SESSIONS = "userSessions"
AI_CONVERSATIONS = "aiConversations"
CONVERSATIONS = "conversations"
SPOTIFY_LINKS = "spotifyLinks"
SYNC_STATE = "syncState"
LOGIN_ATTEMPTS = "loginAttempts"
AUTH_SESSIONS = "authSessions"
PLAYLIST_WRITES = "playlistWrites"

_NAMESPACE_EXISTS = 48


@dataclass(frozen=True)
class IndexSpec:
    collection: str
    name: str
    keys: tuple[tuple[str, int], ...]
    unique: bool = False
    expire_after_s: int | None = None

    @property
    def label(self) -> str:
        return f"{self.collection}.{self.name}"


# Explicit names, so a status check and a reader of `getIndexes()` agree on
# what each one is for, and so a changed key list fails loudly at open.
EXPECTED_INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(TRACKS, "artist_popularity", (("artistId", 1), ("popularity", -1))),
    IndexSpec(
        TRACKS, "energy_valence", (("audioFeatures.energy", 1), ("audioFeatures.valence", 1))
    ),
    IndexSpec(USERS, "name_unique", (("name", 1),), unique=True),
    IndexSpec(API_TOKENS, "tokenHash_unique", (("tokenHash", 1),), unique=True),
    IndexSpec(API_TOKENS, "user_created", (("userId", 1), ("createdAt", 1))),
    IndexSpec(
        LISTENING_EVENTS, "user_genre_recent", (("userId", 1), ("genre", 1), ("timestamp", -1))
    ),
    # What identifies a play (the `on` of the import's $merge), in the order
    # that also serves a user's history newest first.
    IndexSpec(
        LISTENING_EVENTS,
        "user_time_track_unique",
        (("userId", 1), ("timestamp", -1), ("trackId", -1)),
        unique=True,
    ),
    IndexSpec(LISTENING_STAGE, "import_seq", (("importId", 1), ("seq", 1))),
    # Staged plays of an import that died (a crash, a cancel) are never
    # committed nor dropped; the server removes them a day later.
    IndexSpec(LISTENING_STAGE, "staged_ttl", (("stagedAt", 1),), expire_after_s=86_400),
    IndexSpec(FEEDBACK, "user_recent", (("userId", 1), ("at", -1), ("_id", -1))),
    IndexSpec(USER_SESSIONS, "user_recent", (("userId", 1), ("sessionStart", -1))),
    IndexSpec(USER_SESSIONS, "recent_activity", (("lastActivity", -1),)),
    IndexSpec(AI_CONVERSATIONS, "user_recent", (("userId", 1), ("timestamp", -1))),
    IndexSpec(
        AI_CONVERSATIONS,
        "conversation_order",
        (("conversationId", 1), ("messageOrder", 1)),
        unique=True,
    ),
    # aiConversations holds the messages; this lists a user's conversations
    # (one document each) by latest activity.
    IndexSpec(CONVERSATIONS, "user_recent", (("userId", 1), ("updatedAt", -1), ("_id", -1))),
    # One user per Spotify account; _id is the EchoTune user id.
    IndexSpec(SPOTIFY_LINKS, "spotifyUserId_unique", (("spotifyUserId", 1),), unique=True),
    IndexSpec(SPOTIFY_LINKS, "status_user", (("status", 1), ("_id", 1))),
    IndexSpec(SYNC_STATE, "user_resource_unique", (("userId", 1), ("resource", 1)), unique=True),
    # Logins nobody came back for go after a day (SQLite prunes them on add).
    IndexSpec(LOGIN_ATTEMPTS, "created_ttl", (("createdAt", 1),), expire_after_s=86_400),
    IndexSpec(AUTH_SESSIONS, "user", (("userId", 1),)),
    # Expired sessions go at their expiry (get_active refuses them before that).
    IndexSpec(AUTH_SESSIONS, "expires_ttl", (("expiresAt", 1),), expire_after_s=0),
    IndexSpec(
        PLAYLIST_WRITES, "user_request_unique", (("userId", 1), ("requestKey", 1)), unique=True
    ),
)

# The same invariants SQLite's CHECK constraints hold, so a writer that skips
# our models (a script, a future importer) cannot store what we cannot read.
TRACKS_VALIDATOR: Doc = {
    "$jsonSchema": {
        "bsonType": "object",
        "required": ["_id", "name", "artistId", "artistName", "popularity", "durationMs"],
        "properties": {
            "_id": {"bsonType": "string", "minLength": 1, "maxLength": 64},
            "name": {"bsonType": "string"},
            "artistId": {"bsonType": "string"},
            "artistName": {"bsonType": "string"},
            "popularity": {"bsonType": ["int", "long"], "minimum": 0, "maximum": 100},
            "durationMs": {"bsonType": ["int", "long"], "minimum": 0},
            "explicit": {"bsonType": "bool"},
            "audioFeatures": {"bsonType": ["object", "null"]},
        },
    }
}


async def ensure_schema(db: AsyncDatabase[Doc]) -> None:
    await _ensure_tracks_validator(db)
    for spec in EXPECTED_INDEXES:
        # create_index is a no-op when an identical index exists.
        options: Doc = {"name": spec.name, "unique": spec.unique}
        if spec.expire_after_s is not None:
            options["expireAfterSeconds"] = spec.expire_after_s
        await db[spec.collection].create_index(list(spec.keys), **options)


async def missing_indexes(db: AsyncDatabase[Doc]) -> list[str]:
    """Labels (`collection.name`) of expected indexes that are not there."""
    present: dict[str, set[str]] = {}
    for coll in {spec.collection for spec in EXPECTED_INDEXES}:
        present[coll] = set(await db[coll].index_information())
    return [s.label for s in EXPECTED_INDEXES if s.name not in present[s.collection]]


async def _ensure_tracks_validator(db: AsyncDatabase[Doc]) -> None:
    cursor = await db.list_collections(filter={"name": TRACKS})
    found = await cursor.to_list()
    if not found:
        try:
            await db.create_collection(TRACKS, validator=TRACKS_VALIDATOR)
        except CollectionInvalid:
            pass  # another process created it first; checked again below
        except OperationFailure as exc:
            if exc.code != _NAMESPACE_EXISTS:
                raise
        else:
            return
        found = await (await db.list_collections(filter={"name": TRACKS})).to_list()
    if found and found[0].get("options", {}).get("validator") != TRACKS_VALIDATOR:
        await db.command("collMod", TRACKS, validator=TRACKS_VALIDATOR)
