"""The priority limiter: a window budget handed out HIGH before LOW, first come first served.

Waiters sit in a heap ordered by (priority, arrival). Only the head asks the budget for a
slot; everyone else sleeps until the queue changes. A HIGH request arriving while a LOW one
waits for the window becomes the head at once, so interactive calls overtake a background
sync that is queued in front of them.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time

from echotune.spotify.metrics import SpotifyMetrics
from echotune.spotify.transport import (
    Priority,
    SpotifyRequest,
    SpotifyResponse,
    Transport,
    retry_after,
)
from echotune.spotify.window import WindowBudget


class RateLimitedTransport:
    def __init__(
        self,
        inner: Transport,
        window: WindowBudget,
        max_block: float = 30.0,
        metrics: SpotifyMetrics | None = None,
    ) -> None:
        self._inner = inner
        self._window = window
        # A 429 pauses the whole app's budget for its Retry-After, but only up to the cap:
        # longer holds are per token (RetryingTransport) so other users are not stalled.
        self._max_block = max_block
        self._metrics = metrics
        self._queue: list[tuple[Priority, int]] = []
        self._arrivals = itertools.count()
        self._changed = asyncio.Event()

    async def send(self, request: SpotifyRequest) -> SpotifyResponse:
        start = time.monotonic()
        await self._acquire(request.priority)
        if self._metrics is not None:
            self._metrics.wait("budget", time.monotonic() - start)
        try:
            response = await self._inner.send(request)
        finally:
            await self._window.settle()
        if response.status == 429:
            seconds = retry_after(response)
            if seconds is not None and 0 < seconds <= self._max_block:
                await self._window.block(seconds)
        return response

    async def _acquire(self, priority: Priority) -> None:
        ticket = (priority, next(self._arrivals))
        heapq.heappush(self._queue, ticket)
        self._notify()
        try:
            while True:
                timeout: float | None = None
                if self._queue[0] == ticket:
                    wait = await self._window.acquire()
                    if wait <= 0:
                        return
                    timeout = wait
                await self._wait_for_change(timeout)
        finally:
            self._queue.remove(ticket)
            heapq.heapify(self._queue)
            self._notify()

    async def _wait_for_change(self, timeout: float | None) -> None:
        changed = self._changed
        try:
            await asyncio.wait_for(changed.wait(), timeout)
        except TimeoutError:
            pass

    def _notify(self) -> None:
        # Wake every sleeper to re-check who is head; a fresh Event for the next change.
        self._changed.set()
        self._changed = asyncio.Event()

    async def aclose(self) -> None:
        await self._inner.aclose()
        await self._window.aclose()
