"""MongoStorage: the deployment backend over PyMongo's AsyncMongoClient."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.asynchronous.mongo_client import AsyncMongoClient
from pymongo.errors import PyMongoError

from echotune.errors import StorageError, StorageUnavailable
from echotune.settings import StorageSettings
from echotune.storage.base import ArtistRepo, StorageStatus, TokenRepo, TrackRepo, UserRepo
from echotune.storage.mongo.artists import MongoArtistRepo
from echotune.storage.mongo.codec import Doc
from echotune.storage.mongo.errors import translate
from echotune.storage.mongo.schema import API_TOKENS, TRACKS, USERS, ensure_schema, missing_indexes
from echotune.storage.mongo.tracks import MongoTrackRepo
from echotune.storage.mongo.users import MongoTokenRepo, MongoUserRepo


def _client(settings: StorageSettings) -> AsyncMongoClient[Doc]:
    if settings.mongo_uri is None:
        raise StorageError("No MongoDB URI configured")
    with translate("configure"):
        return AsyncMongoClient(
            settings.mongo_uri.get_secret_value(),
            maxPoolSize=settings.mongo_max_pool_size,
            minPoolSize=settings.mongo_min_pool_size,
            serverSelectionTimeoutMS=settings.mongo_server_selection_timeout_ms,
            connectTimeoutMS=settings.mongo_connect_timeout_ms,
            maxIdleTimeMS=settings.mongo_max_idle_time_ms,
            tz_aware=True,
            appname="echotune",
        )


def supports_transactions(hello: Doc) -> bool:
    """Multi-document transactions need a replica set member or a mongos."""
    has_sessions = hello.get("logicalSessionTimeoutMinutes") is not None
    return has_sessions and ("setName" in hello or hello.get("msg") == "isdbgrid")


class MongoStorage:
    """Every repository over one MongoDB database."""

    def __init__(
        self, client: AsyncMongoClient[Doc], db: AsyncDatabase[Doc], transactions: bool
    ) -> None:
        self._client = client
        self._db = db
        # Whether upsert_many is all-or-nothing (see MongoTrackRepo.upsert_many).
        self.atomic_batches = transactions
        self.tracks: TrackRepo = MongoTrackRepo(client, db[TRACKS], transactions)
        self.artists: ArtistRepo = MongoArtistRepo(db[TRACKS])
        self.users: UserRepo = MongoUserRepo(db[USERS])
        self.tokens: TokenRepo = MongoTokenRepo(db[API_TOKENS])

    @classmethod
    async def open(cls, settings: StorageSettings) -> MongoStorage:
        """Connect (failing with StorageUnavailable after the server selection
        timeout), then create collections and indexes if missing."""
        client = _client(settings)
        try:
            with translate("open"):
                hello = await client.admin.command("hello")
                db = client[settings.mongo_database]
                await ensure_schema(db)
        except BaseException:
            await client.close()
            raise
        return cls(client, db, supports_transactions(hello))

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
            await self._client.close()
        except PyMongoError:
            pass  # closing is best effort; the process is letting go of it anyway
