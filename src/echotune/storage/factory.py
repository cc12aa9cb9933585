"""Choose and open the storage backend the settings ask for."""

from __future__ import annotations

import structlog

from echotune.errors import StorageUnavailable
from echotune.settings import Settings
from echotune.storage.base import Storage
from echotune.storage.mongo import MongoStorage
from echotune.storage.sqlite import SqliteStorage

log = structlog.get_logger(__name__)


async def open_storage(settings: Settings) -> Storage:
    """MongoDB when a URI is set and it answers within the server selection
    timeout; otherwise the SQLite file at `settings.sqlite_path`.

    An unreachable MongoDB is not fatal: the service keeps running on SQLite
    and says so in `status()` (fallback=True) and in one warning. Any other
    MongoDB failure (bad credentials, conflicting indexes) is raised, since
    SQLite would only hide a configuration mistake.
    """
    fallback_reason: str | None = None
    if settings.storage.mongo_uri is not None:
        try:
            return await MongoStorage.open(settings.storage)
        except StorageUnavailable as exc:
            fallback_reason = f"MongoDB unreachable, using SQLite instead: {exc.message}"
            log.warning(
                "storage.mongo_unreachable",
                fallback="sqlite",
                sqlite_path=str(settings.sqlite_path),
                reason=exc.message,
            )
    path = settings.sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    return await SqliteStorage.open(path, fallback_reason=fallback_reason)
