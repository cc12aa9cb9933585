"""CachingProvider: exact and semantic hits, privacy scoping, TTL, streams, metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from prometheus_client import CollectorRegistry

from echotune.llm.cache.metrics import CacheMetrics
from echotune.llm.cache.provider import CachingProvider
from echotune.llm.cache.semantic import SemanticCache
from echotune.llm.cache.semantic_index import MemorySemanticIndex
from echotune.llm.cache.store import MemoryStore
from echotune.llm.errors import StreamInterrupted
from echotune.llm.provider import Provider
from echotune.llm.types import (
    ChatRequest,
    ChatResponse,
    Message,
    StreamEnd,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    Usage,
)
from tests.llm.cache.doubles import (
    Answer,
    FakeClock,
    ScriptedProvider,
    WordsEmbedder,
    ask,
    collect,
)

CALL = ToolCall("call_1", "recommend", {"mood": "upbeat", "activity": "running"})


def build(
    inner: ScriptedProvider,
    *,
    semantic: bool = True,
    clock: FakeClock | None = None,
    registry: CollectorRegistry | None = None,
    ttl: float = 60.0,
) -> CachingProvider:
    now = clock or FakeClock()
    cache = (
        SemanticCache(WordsEmbedder(), MemorySemanticIndex(clock=now), offload=False)
        if semantic
        else None
    )
    metrics = CacheMetrics(registry) if registry is not None else None
    return CachingProvider(inner, MemoryStore(clock=now), cache, ttl=ttl, metrics=metrics)


def always(response: ChatResponse) -> Answer:
    return lambda _request: response


def count(registry: CollectorRegistry, kind: str, result: str) -> float:
    labels = {"kind": kind, "result": result}
    return registry.get_sample_value("echotune_llm_cache_lookups_total", labels) or 0.0


async def test_identical_requests_are_answered_once() -> None:
    inner = ScriptedProvider()
    caching: Provider = build(inner)
    first = await caching.complete(ask("Play  some   AC/DC"))
    second = await caching.complete(ask("play some AC/DC".replace("play", "Play")))
    assert inner.calls == 1
    assert not first.cached and second.cached
    assert replace(second, cached=False) == first
    assert caching.config.name == "inner"


async def test_a_personal_answer_is_never_served_to_another_user() -> None:
    def personal_answer(request: ChatRequest) -> ChatResponse:
        return ChatResponse(text=f"{request.user_id}'s top artist is ...")

    inner = ScriptedProvider(personal_answer)
    caching = build(inner)
    question = "Who is my top artist this month?"
    alice = await caching.complete(ask(question, user="alice", personal=True))
    bob = await caching.complete(ask(question, user="bob", personal=True))
    anonymous = await caching.complete(ask(question))  # same words, not personal
    assert inner.calls == 3
    assert alice.text.startswith("alice") and bob.text.startswith("bob")
    assert "alice" not in anonymous.text and "bob" not in anonymous.text
    again = await caching.complete(ask(question, user="alice", personal=True))
    assert again.cached and again.text.startswith("alice")
    bob_again = await caching.complete(ask(question, user="bob", personal=True))
    assert bob_again.cached and bob_again.text.startswith("bob")
    assert inner.calls == 3


async def test_rewordings_hit_the_semantic_cache_unrelated_questions_do_not() -> None:
    inner = ScriptedProvider()
    caching = build(inner)
    first = await caching.complete(ask("What is shoegaze?"))
    reworded = await caching.complete(ask("shoegaze: what is it?"))
    assert reworded.cached and reworded.text == first.text
    other = await caching.complete(ask("Who founded Motown?"))
    assert not other.cached
    assert inner.calls == 2


async def test_personal_and_multi_turn_requests_never_match_by_meaning() -> None:
    inner = ScriptedProvider()
    caching = build(inner)
    await caching.complete(ask("What is shoegaze?"))
    mine = await caching.complete(ask("what is shoegaze", user="alice", personal=True))
    assert not mine.cached
    shared = await caching.complete(ask("shoegaze: what is it?"))
    assert shared.cached  # the same rewording, asked as a general question, does hit
    history = (Message("user", "hi"), Message("assistant", "hello!"))
    follow_up = await caching.complete(ask("What is shoegaze?", history=history))
    assert not follow_up.cached
    assert inner.calls == 3


async def test_entries_expire_after_the_ttl() -> None:
    clock = FakeClock()
    inner = ScriptedProvider()
    caching = build(inner, clock=clock, ttl=30)
    await caching.complete(ask("What is shoegaze?"))
    clock.now += 29
    assert (await caching.complete(ask("What is shoegaze?"))).cached
    assert (await caching.complete(ask("shoegaze, what is it"))).cached
    clock.now += 2
    assert not (await caching.complete(ask("What is shoegaze?"))).cached
    assert inner.calls == 2


async def test_failed_cut_off_and_empty_answers_are_not_stored() -> None:
    for bad in (
        ChatResponse(text="partial", finish_reason="error"),
        ChatResponse(text="cut off mid-sen", finish_reason="length"),
        ChatResponse(text=""),
    ):
        inner = ScriptedProvider(always(bad))
        caching = build(inner)
        await caching.complete(ask("What is shoegaze?"))
        await caching.complete(ask("What is shoegaze?"))
        assert inner.calls == 2, bad


async def test_tool_call_decisions_are_replayed_only_for_the_identical_conversation() -> None:
    decision = ChatResponse(text="", tool_calls=(CALL,), finish_reason="tool_calls")
    inner = ScriptedProvider(always(decision))
    caching = build(inner)
    await caching.complete(ask("upbeat songs for running"))
    exact = await caching.complete(ask("upbeat songs for running"))
    assert exact.cached and exact.tool_calls == (CALL,)
    reworded = await caching.complete(ask("songs for running, upbeat"))
    assert not reworded.cached  # the semantic cache keeps plain text answers only
    assert inner.calls == 2


async def test_hot_requests_and_a_zero_ttl_bypass_the_caches() -> None:
    registry = CollectorRegistry()
    inner = ScriptedProvider()
    caching = build(inner, registry=registry)
    for _ in range(2):
        await caching.complete(ask("surprise me", temperature=1.5))
    off = build(inner, ttl=0)
    for _ in range(2):
        await off.complete(ask("surprise me"))
    assert inner.calls == 4
    assert count(registry, "exact", "bypass") == 2


async def test_stream_miss_passes_through_and_a_hit_replays() -> None:
    answer = ChatResponse(
        text="Try these.", tool_calls=(CALL,), usage=Usage(10, 5), finish_reason="tool_calls"
    )
    inner = ScriptedProvider(always(answer))
    caching = build(inner)
    live = await collect(caching.stream(ask("upbeat songs for running")))
    assert live == [TextDelta("Try t"), TextDelta("hese."), ToolCallDelta(CALL), StreamEnd(answer)]
    replayed = await collect(caching.stream(ask("upbeat songs for running")))
    cached = replace(answer, cached=True)
    assert replayed == [TextDelta("Try these."), ToolCallDelta(CALL), StreamEnd(cached)]
    assert (await caching.complete(ask("upbeat songs for running"))) == cached
    assert inner.calls == 1


async def test_an_abandoned_stream_stores_nothing() -> None:
    inner = ScriptedProvider()
    caching = build(inner)
    events = caching.stream(ask("What is shoegaze?"))
    async for _event in events:
        break
    await events.aclose()  # type: ignore[attr-defined]
    assert not (await caching.complete(ask("What is shoegaze?"))).cached


async def test_metrics_count_hits_misses_and_stores_by_kind() -> None:
    registry = CollectorRegistry()
    caching = build(ScriptedProvider(), registry=registry)
    await caching.complete(ask("What is shoegaze?"))  # exact miss, semantic miss, stored
    await caching.complete(ask("What is shoegaze?"))  # exact hit
    await caching.complete(ask("shoegaze, what is it"))  # exact miss, semantic hit
    await caching.complete(ask("my stats?", user="u", personal=True))  # semantic bypass
    assert count(registry, "exact", "hit") == 1
    assert count(registry, "exact", "miss") == 3
    assert count(registry, "semantic", "hit") == 1
    assert count(registry, "semantic", "miss") == 1
    assert count(registry, "semantic", "bypass") == 1
    stored = "echotune_llm_cache_stores_total"
    assert registry.get_sample_value(stored, {"kind": "exact"}) == 2
    assert registry.get_sample_value(stored, {"kind": "semantic"}) == 1
    seconds = "echotune_llm_cache_semantic_lookup_seconds_count"
    assert registry.get_sample_value(seconds) == 2


async def test_aclose_closes_the_wrapped_provider() -> None:
    inner = ScriptedProvider()
    caching = build(inner)
    await caching.aclose()
    assert inner.closed


async def test_write_behind_stores_after_answering() -> None:
    inner = ScriptedProvider()
    store = MemoryStore()
    caching = CachingProvider(inner, store, ttl=60, write_behind=True)
    await caching.complete(ask("What is shoegaze?"))
    assert len(store) == 0  # not yet: the write runs after the answer went out
    await caching.flush()
    assert len(store) == 1
    await collect(caching.stream(ask("Who founded Motown?")))
    await caching.aclose()  # flushes first
    assert inner.closed


class BreaksMidStream(ScriptedProvider):
    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        self.requests.append(request)
        yield TextDelta("Shoegaze is")
        raise StreamInterrupted("inner", "connection dropped")


async def test_a_broken_stream_propagates_and_stores_nothing() -> None:
    inner = BreaksMidStream()
    caching = build(inner)
    with pytest.raises(StreamInterrupted):
        await collect(caching.stream(ask("What is shoegaze?")))
    assert not (await caching.complete(ask("What is shoegaze?"))).cached
