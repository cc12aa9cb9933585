"""What the exact cache adds to a call, in process: it must stay far below the 0.4 ms
budget that router + caches + breaker share (issue 5, Performance)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from echotune.llm.cache.provider import CachingProvider
from echotune.llm.cache.store import MemoryStore
from echotune.llm.types import ChatRequest, ChatResponse, JSONValue, Message, ToolSpec
from tests.llm.cache.doubles import ScriptedProvider

SCHEMA: dict[str, JSONValue] = {
    "type": "object",
    "properties": {
        "mood": {"type": "string"},
        "activity": {"type": "string"},
        "genres": {"type": "array", "items": {"type": "string"}},
        "limit": {"type": "integer", "default": 10},
    },
}
TOOLS = tuple(
    ToolSpec(f"tool_{i}", "A music tool the assistant may call. " * 3, SCHEMA) for i in range(7)
)
SYSTEM = "You are EchoTune's music assistant. The listener likes funk, jazz and house. " * 12


def chat_turn(i: int) -> ChatRequest:
    messages = (Message("system", SYSTEM), Message("user", f"something upbeat for a run #{i}"))
    return ChatRequest(messages=messages, tools=TOOLS, user_id="u1", personal=True)


async def per_call_us(call: Callable[[ChatRequest], Awaitable[ChatResponse]], n: int) -> float:
    requests = [chat_turn(i) for i in range(n)]
    started = time.perf_counter()
    for request in requests:
        await call(request)
    return (time.perf_counter() - started) / n * 1e6


async def test_exact_cache_overhead(record_property: Callable[[str, object], None]) -> None:
    n = 2000
    inner = ScriptedProvider()
    caching = CachingProvider(inner, MemoryStore(), ttl=60)
    direct = min([await per_call_us(inner.complete, n) for _ in range(3)])
    miss = min([await per_call_us(caching.complete, n) for _ in range(1)]) - direct
    hit = min([await per_call_us(caching.complete, n) for _ in range(3)])
    record_property("exact_cache_us", {"miss_overhead": miss, "hit": hit})
    print(f"\nexact cache: +{miss:.1f} us on a miss (key, read, write), {hit:.1f} us per hit")
    assert hit < 400 and miss < 400  # loose: a shared 2-core machine; typical is 15-40 us
