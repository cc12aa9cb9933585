"""A per-provider bound on concurrent calls, with a synchronous fast path.

asyncio.Semaphore costs a coroutine and a scan of its waiters on every acquire; here a call
that finds a free slot takes it with one comparison, and only a call that must wait pays
for a future. A released slot is handed straight to the oldest waiter (first come, first
served), so a burst cannot starve an early waiter.
"""

from __future__ import annotations

import asyncio
from collections import deque


class ConcurrencyLimit:
    __slots__ = ("_waiters", "free", "size")

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a concurrency limit needs at least one slot")
        self.size = size
        self.free = size
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def in_use(self) -> int:
        return self.size - self.free

    def try_take(self) -> bool:
        if self.free > 0 and not self._waiters:
            self.free -= 1
            return True
        return False

    async def take(self) -> None:
        """Wait for a slot (call after `try_take` said no)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(future)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # handed a slot as we were cancelled: pass it on
            elif future in self._waiters:
                self._waiters.remove(future)
            raise

    def release(self) -> None:
        while self._waiters:
            future = self._waiters.popleft()
            if not future.done():
                future.set_result(None)
                return
        self.free += 1
