"""CachingProvider: a Provider that answers from the caches when it can.

Order: the exact cache (a key digest and one store read, tens of microseconds), then the
semantic cache (only for qualifying requests: see `semantic.py`; one embedding), then the
wrapped provider, whose answer is stored in both.

What is stored: answers that finished ("stop", or "tool_calls") with text or tool calls.
Not stored: finish "error", finish "length" (a cut-off answer is a failure to retry, not
to repeat for an hour), empty answers, and anything when the stream broke before its
StreamEnd. A tool-call decision is cached by the exact cache only, whose key covers the
whole conversation, so it is replayed only where it was made; the semantic cache stores
plain text answers only. Answers served from a cache carry `cached=True` and keep the
provider, model and usage of the call that produced them (no tokens were spent again).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from echotune.llm.cache.codec import decode_response, encode_response
from echotune.llm.cache.keys import cacheable, exact_key
from echotune.llm.cache.metrics import CacheKind, CacheMetrics, LookupResult
from echotune.llm.cache.semantic import SemanticCache, SemanticLookup
from echotune.llm.cache.store import CacheStore
from echotune.llm.provider import Provider, ProviderConfig
from echotune.llm.types import (
    ChatRequest,
    ChatResponse,
    StreamEnd,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
)

log = logging.getLogger(__name__)

_STORED_FINISHES = frozenset({"stop", "tool_calls"})


@dataclass(frozen=True)
class _Plan:
    key: str | None  # None: this request bypasses the caches
    semantic: SemanticLookup | None = None
    hit: ChatResponse | None = None


def replay(response: ChatResponse) -> list[StreamEvent]:
    """A cached answer as stream events: its text, its tool calls, then the end."""
    events: list[StreamEvent] = [TextDelta(response.text)] if response.text else []
    events.extend(ToolCallDelta(call) for call in response.tool_calls)
    events.append(StreamEnd(response))
    return events


class CachingProvider:
    """Wraps `inner` with an exact cache and, optionally, a semantic one.

    `ttl` <= 0 turns caching off. Requests above `max_temperature` bypass the caches
    (None: no limit); see `keys.cacheable`. With `write_behind`, answers are stored by a
    background task instead of before returning: worth it for Redis, where a write is a
    round trip (about 0.2 ms) the caller would otherwise wait for; `flush` awaits pending
    writes. `aclose` flushes, then closes `inner` and both caches.
    """

    def __init__(
        self,
        inner: Provider,
        exact: CacheStore,
        semantic: SemanticCache | None = None,
        *,
        ttl: float,
        metrics: CacheMetrics | None = None,
        max_temperature: float | None = 1.0,
        write_behind: bool = False,
    ) -> None:
        self._inner = inner
        self._exact = exact
        self._semantic = semantic
        self._ttl = ttl
        self._metrics = metrics
        self._max_temperature = max_temperature
        self._write_behind = write_behind
        self._pending: set[asyncio.Task[None]] = set()

    @property
    def config(self) -> ProviderConfig:
        return self._inner.config

    async def complete(self, request: ChatRequest) -> ChatResponse:
        plan = await self._lookup(request)
        if plan.hit is not None:
            return plan.hit
        response = await self._inner.complete(request)
        await self._store(plan, response)
        return response

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        plan = await self._lookup(request)
        if plan.hit is not None:
            for event in replay(plan.hit):
                yield event
            return
        events = self._inner.stream(request)
        try:
            async for event in events:
                if isinstance(event, StreamEnd):
                    # Before yielding: a consumer may stop reading at the end event.
                    await self._store(plan, event.response)
                yield event
        finally:
            close = getattr(events, "aclose", None)
            if close is not None:
                await close()

    async def flush(self) -> None:
        """Wait for the background writes started so far (`write_behind`)."""
        while self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    async def aclose(self) -> None:
        try:
            await self.flush()
            await self._inner.aclose()
        finally:
            await self._exact.aclose()
            if self._semantic is not None:
                await self._semantic.aclose()

    async def _lookup(self, request: ChatRequest) -> _Plan:
        key = exact_key(request) if self._enabled(request) else None
        if key is None:
            self._count("exact", "bypass")
            self._count("semantic", "bypass")
            return _Plan(None)
        raw = await self._exact.get(key)
        hit = decode_response(raw) if raw is not None else None
        self._count("exact", "hit" if hit is not None else "miss")
        if hit is not None:
            return _Plan(key, hit=hit)
        if self._semantic is None:
            return _Plan(key)
        started = time.perf_counter()
        lookup = await self._semantic.lookup(request)
        if lookup is None:
            self._count("semantic", "bypass")
            return _Plan(key)
        if self._metrics is not None:
            self._metrics.semantic_seconds.observe(time.perf_counter() - started)
        self._count("semantic", "hit" if lookup.hit is not None else "miss")
        return _Plan(key, lookup, lookup.hit)

    async def _store(self, plan: _Plan, response: ChatResponse) -> None:
        if plan.key is None:
            return
        if not self._write_behind:
            await self._remember(plan, response)
            return
        task = asyncio.create_task(self._remember(plan, response))
        self._pending.add(task)
        task.add_done_callback(self._written)

    def _written(self, task: asyncio.Task[None]) -> None:
        self._pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("llm cache write failed", exc_info=task.exception())

    async def _remember(self, plan: _Plan, response: ChatResponse) -> None:
        if plan.key is None or response.finish_reason not in _STORED_FINISHES:
            return
        if not response.text and not response.tool_calls:
            return
        encoded = encode_response(response)
        await self._exact.set(plan.key, encoded, self._ttl)
        self._count_store("exact")
        if plan.semantic is None or self._semantic is None:
            return
        if await self._semantic.remember(plan.semantic, response, self._ttl, encoded):
            self._count_store("semantic")

    def _enabled(self, request: ChatRequest) -> bool:
        return self._ttl > 0 and cacheable(request, self._max_temperature)

    def _count(self, kind: CacheKind, result: LookupResult) -> None:
        if self._metrics is not None:
            self._metrics.lookup(kind, result)

    def _count_store(self, kind: CacheKind) -> None:
        if self._metrics is not None:
            self._metrics.stored(kind)
