"""The AsyncMongoClient: built from settings, and closed without leaking a socket."""

from __future__ import annotations

import asyncio
import time

from pymongo.asynchronous.mongo_client import AsyncMongoClient
from pymongo.monitoring import (
    ServerHeartbeatFailedEvent,
    ServerHeartbeatListener,
    ServerHeartbeatStartedEvent,
    ServerHeartbeatSucceededEvent,
)

from echotune.errors import StorageError
from echotune.settings import StorageSettings
from echotune.storage.mongo.codec import Doc
from echotune.storage.mongo.errors import translate

# The longest close() waits for a monitor check that is opening a connection.
_SETTLE_MAX_S = 1.0
_SETTLE_POLL_S = 0.005


class ConnectingChecks(ServerHeartbeatListener):
    """Counts server-monitor checks that may be opening a connection right now.

    PyMongo 4.20 leaks the socket of a connection attempt that close() cancels
    (PYTHON-5867). After a failed server selection the monitor retries on the
    very tick at which selection gives up, so closing at once nearly always
    cancels one. Awaited (streaming) checks reuse an open connection and are
    not counted.
    """

    def __init__(self) -> None:
        self.count = 0

    def started(self, event: ServerHeartbeatStartedEvent) -> None:
        if not event.awaited:
            self.count += 1

    def succeeded(self, event: ServerHeartbeatSucceededEvent) -> None:
        if not event.awaited:
            self.count = max(0, self.count - 1)

    def failed(self, event: ServerHeartbeatFailedEvent) -> None:
        if not event.awaited:
            self.count = max(0, self.count - 1)


class MongoConnection:
    """A client plus what is needed to close it cleanly."""

    def __init__(self, settings: StorageSettings) -> None:
        if settings.mongo_uri is None:
            raise StorageError("No MongoDB URI configured")
        self.checks = ConnectingChecks()
        self._settle_s = min(_SETTLE_MAX_S, settings.mongo_connect_timeout_ms / 1000)
        with translate("configure"):
            self.client: AsyncMongoClient[Doc] = AsyncMongoClient(
                settings.mongo_uri.get_secret_value(),
                maxPoolSize=settings.mongo_max_pool_size,
                minPoolSize=settings.mongo_min_pool_size,
                serverSelectionTimeoutMS=settings.mongo_server_selection_timeout_ms,
                connectTimeoutMS=settings.mongo_connect_timeout_ms,
                maxIdleTimeMS=settings.mongo_max_idle_time_ms,
                tz_aware=True,
                appname="echotune",
                event_listeners=[self.checks],
            )

    async def close(self) -> None:
        deadline = time.monotonic() + self._settle_s
        while self.checks.count and time.monotonic() < deadline:
            await asyncio.sleep(_SETTLE_POLL_S)
        await self.client.close()


def supports_transactions(hello: Doc) -> bool:
    """Multi-document transactions need a replica set member or a mongos."""
    has_sessions = hello.get("logicalSessionTimeoutMinutes") is not None
    return has_sessions and ("setName" in hello or hello.get("msg") == "isdbgrid")
