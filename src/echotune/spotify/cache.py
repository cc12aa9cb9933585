"""Conditional caching of GETs: fresh answers from memory, stale ones revalidated by ETag.

Entries are keyed by URL, query and token key (two users never share an entry) and evicted
least-recently-used past `max_entries` or `max_bytes`. A revalidation still costs a request
against the window, but a 304 carries no body; a fresh hit costs nothing.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from echotune.spotify.metrics import SpotifyMetrics
from echotune.spotify.transport import SpotifyRequest, SpotifyResponse, Transport

CacheKey = tuple[str, tuple[tuple[str, str], ...], str | None]


@dataclass(frozen=True)
class _Entry:
    response: SpotifyResponse
    etag: str | None
    fresh_until: float


class CachingTransport:
    def __init__(
        self,
        inner: Transport,
        max_entries: int = 2048,
        max_bytes: int = 64 * 1024 * 1024,
        clock: Callable[[], float] = time.monotonic,
        metrics: SpotifyMetrics | None = None,
    ) -> None:
        self._inner = inner
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._clock = clock
        self._metrics = metrics
        self._entries: OrderedDict[CacheKey, _Entry] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    async def send(self, request: SpotifyRequest) -> SpotifyResponse:
        if request.method.upper() != "GET" or self._max_entries <= 0:
            return await self._inner.send(request)
        key: CacheKey = (request.url, tuple(sorted(request.params.items())), request.token_key)
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            if self._clock() < entry.fresh_until:
                self._hit("fresh")
                return entry.response
            if entry.etag is not None:
                headers = {**request.headers, "If-None-Match": entry.etag}
                request = replace(request, headers=headers)
        response = await self._inner.send(request)
        if response.status == 304 and entry is not None:
            self._hit("revalidated")
            self._store(key, entry.response, {**entry.response.headers, **response.headers})
            return entry.response
        if response.status == 200:
            self._store(key, response, response.headers)
        return response

    def _hit(self, kind: str) -> None:
        if self._metrics is not None:
            self._metrics.cache_hits.labels(kind).inc()

    def _store(self, key: CacheKey, response: SpotifyResponse, headers: Mapping[str, str]) -> None:
        """Keep `response`'s body under the validators and freshness in `headers`."""
        fresh_for, storable = _freshness(headers.get("cache-control", ""))
        etag = headers.get("etag")
        self._drop(key)
        if not storable or (etag is None and fresh_for <= 0):
            return
        if len(response.content) > self._max_bytes:
            return
        self._entries[key] = _Entry(response, etag, self._clock() + fresh_for)
        self._bytes += len(response.content)
        while len(self._entries) > self._max_entries or self._bytes > self._max_bytes:
            oldest = next(iter(self._entries))
            self._drop(oldest)

    def _drop(self, key: CacheKey) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old.response.content)

    async def aclose(self) -> None:
        self._entries.clear()
        self._bytes = 0
        await self._inner.aclose()


def _freshness(cache_control: str) -> tuple[float, bool]:
    """(seconds fresh, may be stored) from a Cache-Control header; private is fine per token."""
    fresh = 0.0
    for directive in cache_control.lower().split(","):
        name, _, value = directive.strip().partition("=")
        if name == "no-store":
            return 0.0, False
        if name == "no-cache":
            fresh = 0.0
            break
        if name == "max-age":
            try:
                fresh = max(0.0, float(value.strip('"')))
            except ValueError:
                fresh = 0.0
    return fresh, True
