"""Byte stores with a time to live: in process (LRU) or shared by every process (Redis).

A cache must never break chat: the Redis store logs and swallows Redis errors, so an
outage reads as misses and skipped writes, and the provider behind the cache answers.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "echotune:llm:cache:"


class CacheStore(Protocol):
    async def get(self, key: str) -> bytes | None:
        """The value stored under `key`, or None when absent or expired."""
        ...

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        """Store `value` for `ttl` seconds (ttl <= 0 stores nothing)."""
        ...

    async def aclose(self) -> None: ...


class MemoryStore:
    """At most `max_entries` values; the least recently used go first, expired ones on read."""

    def __init__(
        self, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry[1]

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        if ttl <= 0:
            return
        self._entries[key] = (self._clock() + ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    async def aclose(self) -> None:
        self._entries.clear()


class RedisStore:
    """Values under `prefix + key`, written with a millisecond expiry (SET ... PX)."""

    def __init__(
        self, client: Redis, prefix: str = DEFAULT_PREFIX, *, owns_client: bool = False
    ) -> None:
        self._redis = client
        self._prefix = prefix
        self._owns = owns_client

    @classmethod
    def from_url(cls, url: str, prefix: str = DEFAULT_PREFIX) -> RedisStore:
        """A store with a client of its own, closed by `aclose`."""
        return cls(Redis.from_url(url), prefix, owns_client=True)

    async def get(self, key: str) -> bytes | None:
        try:
            value = await self._redis.get(self._prefix + key)
        except RedisError as exc:
            log.warning("llm cache read failed, treated as a miss: %s", exc)
            return None
        return value if isinstance(value, bytes) else None

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        ttl_ms = int(ttl * 1000)
        if ttl_ms <= 0:
            return
        try:
            await self._redis.set(self._prefix + key, value, px=ttl_ms)
        except RedisError as exc:
            log.warning("llm cache write failed, answer not cached: %s", exc)

    async def aclose(self) -> None:
        if self._owns:
            await self._redis.aclose()
