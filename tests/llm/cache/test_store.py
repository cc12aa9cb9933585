"""Byte stores (memory LRU + TTL, Redis) and the response codec."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from echotune.llm.cache.codec import decode_response, encode_response
from echotune.llm.cache.store import MemoryStore, RedisStore
from echotune.llm.types import ChatResponse, ToolCall, Usage
from tests.llm.cache.doubles import FakeClock


async def test_memory_store_expires_by_ttl() -> None:
    clock = FakeClock()
    store = MemoryStore(clock=clock)
    await store.set("k", b"v", ttl=10)
    clock.now += 9.9
    assert await store.get("k") == b"v"
    clock.now += 0.2
    assert await store.get("k") is None
    assert len(store) == 0
    await store.set("zero", b"v", ttl=0)
    assert await store.get("zero") is None


async def test_memory_store_evicts_least_recently_used() -> None:
    store = MemoryStore(max_entries=2)
    await store.set("a", b"1", 60)
    await store.set("b", b"2", 60)
    assert await store.get("a") == b"1"  # a is now the most recently used
    await store.set("c", b"3", 60)
    assert await store.get("b") is None
    assert await store.get("a") == b"1"
    assert await store.get("c") == b"3"
    assert len(store) == 2
    with pytest.raises(ValueError, match="max_entries"):
        MemoryStore(max_entries=0)


async def test_redis_store_round_trip_prefix_and_expiry(redis_db_url: str) -> None:
    store = RedisStore.from_url(redis_db_url, prefix="t:")
    raw = Redis.from_url(redis_db_url)
    try:
        await store.set("k", b"value", ttl=30)
        assert await store.get("k") == b"value"
        assert await raw.get("t:k") == b"value"
        assert 29_000 < await raw.pttl("t:k") <= 30_000
        await store.set("short", b"v", ttl=0.05)
        await store.set("never", b"v", ttl=0)
        assert await raw.exists("t:never") == 0
        assert await store.get("missing") is None
    finally:
        await raw.aclose()
        await store.aclose()


async def test_redis_store_outage_reads_as_miss() -> None:
    store = RedisStore.from_url("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        assert await store.get("k") is None
        await store.set("k", b"v", ttl=10)  # logged, not raised
    finally:
        await store.aclose()


def test_codec_round_trips_a_full_response() -> None:
    response = ChatResponse(
        text="Here you go ✨",
        tool_calls=(ToolCall("c1", "recommend", {"mood": "happy", "genres": ["funk"]}),),
        usage=Usage(120, 40),
        provider="openai",
        model="gpt-x",
        finish_reason="tool_calls",
    )
    decoded = decode_response(encode_response(response))
    assert decoded is not None
    assert decoded.cached
    assert decoded == ChatResponse(**{**response.__dict__, "cached": True})
    assert decode_response(encode_response(response), cached=False) == response


def test_codec_treats_foreign_bytes_as_a_miss() -> None:
    assert decode_response(b"not json") is None
    assert decode_response(b'{"a": 1}') is None
    assert decode_response(b'[2, "t", [], 0, 0, "p", "m", "stop"]') is None
    assert decode_response(b'[1, "t", [], 0, 0, "p", "m", "weird"]') is None
