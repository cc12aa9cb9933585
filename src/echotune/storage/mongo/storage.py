"""MongoStorage: the deployment backend over PyMongo's AsyncMongoClient."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from echotune.errors import StorageError, StorageUnavailable
from echotune.settings import StorageSettings
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
from echotune.storage.mongo.artists import MongoArtistRepo
from echotune.storage.mongo.auth import MongoLoginAttemptRepo, MongoSessionRepo
from echotune.storage.mongo.client import MongoConnection, supports_transactions
from echotune.storage.mongo.codec import Doc
from echotune.storage.mongo.conversations import MongoConversationRepo
from echotune.storage.mongo.errors import translate
from echotune.storage.mongo.feedback import MongoFeedbackRepo
from echotune.storage.mongo.links import MongoSpotifyLinkRepo, MongoSyncStateRepo
from echotune.storage.mongo.listening import MongoListeningRepo
from echotune.storage.mongo.playlist_writes import MongoPlaylistWriteRepo
from echotune.storage.mongo.schema import (
    AI_CONVERSATIONS,
    API_TOKENS,
    AUTH_SESSIONS,
    CONVERSATIONS,
    FEEDBACK,
    LISTENING_EVENTS,
    LISTENING_STAGE,
    LOGIN_ATTEMPTS,
    PLAYLIST_WRITES,
    SPOTIFY_LINKS,
    SYNC_STATE,
    TRACKS,
    USERS,
    ensure_schema,
    missing_indexes,
)
from echotune.storage.mongo.tracks import MongoTrackRepo
from echotune.storage.mongo.users import MongoTokenRepo, MongoUserRepo


class MongoStorage:
    """Every repository over one MongoDB database."""

    def __init__(
        self, connection: MongoConnection, db: AsyncDatabase[Doc], transactions: bool
    ) -> None:
        self._connection = connection
        self._db = db
        # Whether upsert_many is all-or-nothing (see MongoTrackRepo.upsert_many).
        self.atomic_batches = transactions
        self.tracks: TrackRepo = MongoTrackRepo(connection.client, db[TRACKS], transactions)
        self.artists: ArtistRepo = MongoArtistRepo(db[TRACKS])
        self.users: UserRepo = MongoUserRepo(db[USERS])
        self.tokens: TokenRepo = MongoTokenRepo(db[API_TOKENS])
        self.listening: ListeningRepo = MongoListeningRepo(
            connection.client, db[LISTENING_EVENTS], db[LISTENING_STAGE], transactions
        )
        self.feedback: FeedbackRepo = MongoFeedbackRepo(db[FEEDBACK])
        self.spotify_links: SpotifyLinkRepo = MongoSpotifyLinkRepo(db[SPOTIFY_LINKS])
        self.sync_state: SyncStateRepo = MongoSyncStateRepo(db[SYNC_STATE])
        self.login_attempts: LoginAttemptRepo = MongoLoginAttemptRepo(db[LOGIN_ATTEMPTS])
        self.sessions: SessionRepo = MongoSessionRepo(db[AUTH_SESSIONS])
        self.playlist_writes: PlaylistWriteRepo = MongoPlaylistWriteRepo(db[PLAYLIST_WRITES])
        self.conversations: ConversationRepo = MongoConversationRepo(
            db[CONVERSATIONS], db[AI_CONVERSATIONS]
        )

    @classmethod
    async def open(cls, settings: StorageSettings) -> MongoStorage:
        """Connect (failing with StorageUnavailable after the server selection
        timeout), then create collections and indexes if missing."""
        connection = MongoConnection(settings)
        try:
            with translate("open"):
                hello = await connection.client.admin.command("hello")
                db = connection.client[settings.mongo_database]
                await ensure_schema(db)
        except BaseException:
            await connection.close()
            raise
        return cls(connection, db, supports_transactions(hello))

    @property
    def database(self) -> str:
        return self._db.name

    async def status(self) -> StorageStatus:
        try:
            with translate("status"):
                await self._db.command("ping")
                missing = await missing_indexes(self._db)
        except StorageError as exc:
            reachable = not isinstance(exc, StorageUnavailable)
            return StorageStatus(
                backend="mongo", reachable=reachable, indexes_present=False, detail=exc.message
            )
        return StorageStatus(
            backend="mongo",
            reachable=True,
            indexes_present=not missing,
            missing_indexes=missing,
            detail=f"database {self._db.name}",
        )

    async def close(self) -> None:
        try:
            await self._connection.close()
        except PyMongoError:
            pass  # closing is best effort; the process is letting go of it anyway
