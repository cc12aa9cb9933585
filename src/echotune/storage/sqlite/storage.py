"""SqliteStorage: the embedded backend, one file, opened and migrated as one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from echotune.errors import StorageError
from echotune.storage.base import (
    ArtistRepo,
    ConversationRepo,
    FeedbackRepo,
    ListeningRepo,
    LoginAttemptRepo,
    PlaylistWriteRepo,
    SessionRepo,
    SpotifyLinkRepo,
    StorageStatus,
    SyncStateRepo,
    TokenRepo,
    TrackRepo,
    UserRepo,
)
from echotune.storage.sqlite.artists import SqliteArtistRepo
from echotune.storage.sqlite.auth import SqliteLoginAttemptRepo, SqliteSessionRepo
from echotune.storage.sqlite.conversations import SqliteConversationRepo
from echotune.storage.sqlite.db import SqliteDb
from echotune.storage.sqlite.feedback import SqliteFeedbackRepo
from echotune.storage.sqlite.links import SqliteSpotifyLinkRepo, SqliteSyncStateRepo
from echotune.storage.sqlite.listening import SqliteListeningRepo
from echotune.storage.sqlite.migrate import migrate
from echotune.storage.sqlite.playlist_writes import SqlitePlaylistWriteRepo
from echotune.storage.sqlite.tracks import SqliteTrackRepo
from echotune.storage.sqlite.users import SqliteTokenRepo, SqliteUserRepo

# The indexes the migrations create; status() reports any that went missing.
EXPECTED_INDEXES: tuple[str, ...] = (
    "ix_tracks_artist_popularity",
    "ix_tracks_genre",
    "ix_tracks_name_lc",
    "ix_api_tokens_user",
    "ix_listening_events_user_genre_time",
    "ix_user_sessions_user_start",
    "ix_user_sessions_last_activity",
    "ix_ai_conversations_user_time",
    "ix_ai_conversations_order",
    "ix_feedback_user_time",
    "ix_feedback_sourced",
    "ix_spotify_links_status",
    "ix_login_attempts_created",
    "ix_auth_sessions_user",
    "ix_auth_sessions_expires",
    "ix_conversations_user_recent",
)


class SqliteStorage:
    """Every repository over one SQLite file.

    `fallback_reason` is set when SQLite stands in for an unreachable MongoDB;
    status() then says so.
    """

    # One transaction per batch, so upsert_many is all-or-nothing.
    atomic_batches = True

    def __init__(self, db: SqliteDb, fallback_reason: str | None = None) -> None:
        self._db = db
        self._fallback_reason = fallback_reason
        self.tracks: TrackRepo = SqliteTrackRepo(db)
        self.artists: ArtistRepo = SqliteArtistRepo(db)
        self.users: UserRepo = SqliteUserRepo(db)
        self.tokens: TokenRepo = SqliteTokenRepo(db)
        self.listening: ListeningRepo = SqliteListeningRepo(db)
        self.feedback: FeedbackRepo = SqliteFeedbackRepo(db)
        self.spotify_links: SpotifyLinkRepo = SqliteSpotifyLinkRepo(db)
        self.sync_state: SyncStateRepo = SqliteSyncStateRepo(db)
        self.login_attempts: LoginAttemptRepo = SqliteLoginAttemptRepo(db)
        self.sessions: SessionRepo = SqliteSessionRepo(db)
        self.playlist_writes: PlaylistWriteRepo = SqlitePlaylistWriteRepo(db)
        self.conversations: ConversationRepo = SqliteConversationRepo(db)

    @classmethod
    async def open(cls, path: Path, fallback_reason: str | None = None) -> SqliteStorage:
        """Open (creating if needed) and migrate the file; its directory must exist."""
        db = SqliteDb(path)
        try:
            await db.open()
            await db.run(migrate)
        except BaseException:
            await db.close()
            raise
        return cls(db, fallback_reason)

    @property
    def path(self) -> Path:
        return self._db.path

    async def status(self) -> StorageStatus:
        fallback = self._fallback_reason is not None
        try:
            present = await self._db.run(_index_names)
        except StorageError as exc:
            return StorageStatus(
                backend="sqlite", reachable=False, fallback=fallback, detail=exc.message
            )
        missing = [name for name in EXPECTED_INDEXES if name not in present]
        return StorageStatus(
            backend="sqlite",
            reachable=True,
            fallback=fallback,
            indexes_present=not missing,
            missing_indexes=missing,
            detail=self._fallback_reason or str(self._db.path),
        )

    async def close(self) -> None:
        await self._db.close()


def _index_names(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
    return {str(r[0]) for r in rows}
