"""Sync every connected account now and then, at low priority, in the background.

Interactive requests overtake it in the rate limiter. A RateLimited above the
cap pauses the loop until Spotify's reset time; other failures are logged and
the next account goes on, so one broken account never stops the others. An
account whose sync is already running (an API job) is skipped this round.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from echotune.errors import EchotuneError, RateLimited
from echotune.sync.service import SyncService

log = structlog.get_logger(__name__)


class BackgroundSync:
    def __init__(self, sync: SyncService, interval_seconds: float) -> None:
        self._sync = sync
        self._interval = interval_seconds
        self._task: asyncio.Task[None] | None = None

    @property
    def enabled(self) -> bool:
        return self._interval > 0

    def start(self) -> None:
        if self.enabled and self._task is None:
            self._task = asyncio.create_task(self._loop(), name="spotify-background-sync")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _loop(self) -> None:
        while True:
            pause = await self.run_once()
            await asyncio.sleep(max(pause, self._interval))

    async def run_once(self) -> float:
        """Sync every connected user once; returns how long Spotify asked us to wait."""
        for user_id in await self._sync.connected_users():
            if self._sync.is_syncing(user_id):
                log.info("spotify.sync.skipped_running", user_id=user_id)
                continue
            try:
                report = await self._sync.sync_user(user_id)
            except RateLimited as exc:
                log.warning("spotify.sync.rate_limited", user_id=user_id, wait=exc.retry_after)
                return exc.retry_after
            except EchotuneError as exc:
                log.warning("spotify.sync.failed", user_id=user_id, error=exc.message)
                continue
            log.info("spotify.sync.done", user_id=user_id, new_tracks=report.total("new_tracks"),
                     plays=report.total("plays"), taste=report.total("taste"),
                     taste_removed=report.total("taste_removed"))  # fmt: skip
        return 0.0
