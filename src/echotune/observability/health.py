"""Liveness and readiness: is the process up, and can it serve real answers."""

from __future__ import annotations

import time

from pydantic import BaseModel

from echotune import __version__
from echotune.recommend.service import DiscoveryService, ModelStatus
from echotune.storage.base import Storage, StorageStatus


class LiveReport(BaseModel):
    status: str = "ok"
    version: str = __version__
    uptime_s: float


class CatalogStatus(BaseModel):
    tracks: int


class ReadyReport(BaseModel):
    ready: bool
    storage: StorageStatus
    catalog: CatalogStatus
    model: ModelStatus


class HealthService:
    def __init__(self, storage: Storage, discovery: DiscoveryService) -> None:
        self._storage = storage
        self._discovery = discovery
        self._started = time.monotonic()

    def live(self) -> LiveReport:
        return LiveReport(uptime_s=round(time.monotonic() - self._started, 3))

    async def ready(self) -> ReadyReport:
        storage = await self._storage.status()
        tracks = await self._storage.tracks.count() if storage.reachable else 0
        model = self._discovery.status()
        ok = storage.reachable and storage.indexes_present and model.loaded and tracks > 0
        return ReadyReport(
            ready=ok, storage=storage, catalog=CatalogStatus(tracks=tracks), model=model
        )
