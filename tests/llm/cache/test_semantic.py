"""The semantic cache: which requests qualify, and both indexes (memory, Redis)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import numpy as np
import pytest

from echotune.llm.cache.codec import encode_response
from echotune.llm.cache.semantic import SemanticCache, SemanticIndex, semantic_query
from echotune.llm.cache.semantic_index import MemorySemanticIndex, RedisSemanticIndex
from echotune.llm.types import ChatResponse, Message, ToolCall, ToolSpec
from tests.llm.cache.doubles import FakeClock, WordsEmbedder, ask

CALL = ToolCall("c1", "search_catalog", {"query": "x"})


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_single_turn_general_questions_qualify() -> None:
    query = semantic_query(ask("  What is   shoegaze? "))
    assert query is not None
    assert query.question == "What is shoegaze?"
    assert semantic_query(ask("What is shoegaze?", system="Another setup.")) != query


def test_personal_multi_turn_tool_and_long_requests_do_not() -> None:
    assert semantic_query(ask("my top artists?", user="u", personal=True)) is None
    earlier = (Message("user", "hi"), Message("assistant", "hello"))
    assert semantic_query(ask("what is shoegaze?", history=earlier)) is None
    tool_turn = (
        Message("assistant", "", tool_calls=(CALL,)),
        Message("tool", "{}", tool_call_id="c1"),
    )
    assert semantic_query(ask("and now?", history=tool_turn)) is None
    assert semantic_query(ask("x" * 501)) is None
    assert semantic_query(ask("   ")) is None


def test_signature_covers_tool_names_and_provider_pin() -> None:
    request = ask("what is shoegaze?")
    tool = ToolSpec("search_catalog", "", {})
    signatures = {
        q.signature
        for q in (
            semantic_query(request),
            semantic_query(replace(request, tools=(tool,))),
            semantic_query(replace(request, provider="anthropic")),
        )
        if q is not None
    }
    assert len(signatures) == 3


async def test_memory_index_threshold_signature_and_ttl() -> None:
    clock = FakeClock()
    index = MemorySemanticIndex(capacity=8, clock=clock)
    assert await index.search("s", unit(1, 0, 0), 0.9) is None
    await index.add("s", unit(1, 0, 0), b"first", ttl=10)
    await index.add("s", unit(0, 1, 0), b"second", ttl=10)
    match = await index.search("s", unit(1, 0.1, 0), 0.9)
    assert match is not None and match.value == b"first" and match.score > 0.99
    assert await index.search("s", unit(1, 1, 0), 0.9) is None  # 0.71: below threshold
    assert await index.search("other", unit(1, 0, 0), 0.9) is None
    clock.now += 11
    assert await index.search("s", unit(1, 0, 0), 0.9) is None
    assert len(index) == 0


async def test_memory_index_overwrites_the_oldest_when_full() -> None:
    index = MemorySemanticIndex(capacity=2)
    await index.add("s", unit(1, 0, 0), b"a", 60)
    await index.add("s", unit(0, 1, 0), b"b", 60)
    await index.add("s", unit(0, 0, 1), b"c", 60)
    assert await index.search("s", unit(1, 0, 0), 0.9) is None
    assert len(index) == 2
    with pytest.raises(ValueError, match="capacity"):
        MemorySemanticIndex(capacity=0)


async def test_redis_index_round_trip_trim_and_expiry(redis_db_url: str) -> None:
    index = RedisSemanticIndex.from_url(redis_db_url, prefix="t:", recent=2)
    try:
        await index.add("s", unit(1, 0, 0), b"first", ttl=60)
        await index.add("other", unit(0, 1, 0), b"theirs", ttl=60)
        match = await index.search("s", unit(1, 0.05, 0), 0.9)
        assert match is not None and match.value == b"first"
        assert await index.search("s", unit(0, 1, 0), 0.9) is None
        assert await index.search("nothing", unit(1, 0, 0), 0.9) is None
        await index.add("s", unit(0, 1, 0), b"second", ttl=60)
        await index.add("s", unit(0, 0, 1), b"third", ttl=0.05)
        assert await index.search("s", unit(1, 0, 0), 0.9) is None  # trimmed: 2 most recent
        assert (m := await index.search("s", unit(0, 0, 1), 0.9)) and m.value == b"third"
        await asyncio.sleep(0.1)
        assert await index.search("s", unit(0, 0, 1), 0.9) is None  # expired
        assert (m := await index.search("s", unit(0, 1, 0), 0.9)) and m.value == b"second"
    finally:
        await index.aclose()


async def test_redis_index_outage_reads_as_miss() -> None:
    index = RedisSemanticIndex.from_url("redis://127.0.0.1:1/0")
    try:
        await index.add("s", unit(1, 0, 0), b"v", ttl=10)
        assert await index.search("s", unit(1, 0, 0), 0.9) is None
    finally:
        await index.aclose()


@pytest.mark.parametrize("offload", [False, True])
async def test_cache_matches_rewordings_and_stores_only_plain_text(offload: bool) -> None:
    embedder = WordsEmbedder()
    index: SemanticIndex = MemorySemanticIndex()
    cache = SemanticCache(embedder, index, threshold=0.92, offload=offload)
    first = await cache.lookup(ask("What is shoegaze?"))
    assert first is not None and first.hit is None
    answer = ChatResponse(text="A dreamy guitar genre.", provider="p")
    assert await cache.remember(first, answer, ttl=60)
    again = await cache.lookup(ask("what's shoegaze"))
    assert again is not None and again.hit is not None
    assert again.hit.text == "A dreamy guitar genre." and again.hit.cached
    assert again.score is not None and again.score >= 0.92
    other = await cache.lookup(ask("Who founded Motown?"))
    assert other is not None and other.hit is None
    calls = ChatResponse(text="", tool_calls=(CALL,), finish_reason="tool_calls")
    assert not await cache.remember(other, calls, ttl=60)
    assert not await cache.remember(other, replace(answer, finish_reason="length"), ttl=60)
    assert await cache.lookup(ask("mine?", user="u", personal=True)) is None
    assert len(embedder.calls) == 3  # the personal request was never embedded


async def test_cache_rejects_a_bad_threshold_and_reuses_encoded_bytes() -> None:
    with pytest.raises(ValueError, match="threshold"):
        SemanticCache(WordsEmbedder(), MemorySemanticIndex(), threshold=0)
    cache = SemanticCache(WordsEmbedder(), MemorySemanticIndex(), offload=False)
    lookup = await cache.lookup(ask("define krautrock"))
    assert lookup is not None
    answer = ChatResponse(text="Motorik.")
    assert await cache.remember(lookup, answer, 60, encoded=encode_response(answer))
    hit = await cache.lookup(ask("Define krautrock!"))
    assert hit is not None and hit.hit is not None and hit.hit.text == "Motorik."
