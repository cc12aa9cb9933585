"""The caches in Redis: what one process stores, another serves; scoping holds there too."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from echotune.llm.cache.provider import CachingProvider
from echotune.llm.cache.semantic import SemanticCache
from echotune.llm.cache.semantic_index import RedisSemanticIndex
from echotune.llm.cache.store import RedisStore
from echotune.llm.types import ChatRequest, ChatResponse, StreamEnd
from tests.llm.cache.doubles import ScriptedProvider, WordsEmbedder, ask, collect

Factory = Callable[[ScriptedProvider], CachingProvider]


@pytest.fixture
async def make(redis_db_url: str) -> AsyncIterator[Factory]:
    made: list[CachingProvider] = []

    def factory(inner: ScriptedProvider) -> CachingProvider:
        semantic = SemanticCache(
            WordsEmbedder(), RedisSemanticIndex.from_url(redis_db_url), offload=False
        )
        store = RedisStore.from_url(redis_db_url)
        caching = CachingProvider(inner, store, semantic, ttl=60, write_behind=True)
        made.append(caching)
        return caching

    yield factory
    for caching in made:
        await caching.aclose()


def per_user(request: ChatRequest) -> ChatResponse:
    return ChatResponse(text=f"for {request.user_id or 'everyone'}: {request.messages[-1].content}")


async def test_one_process_stores_another_serves(make: Factory) -> None:
    first_inner, second_inner = ScriptedProvider(), ScriptedProvider()
    first, second = make(first_inner), make(second_inner)
    answer = await first.complete(ask("What is shoegaze?"))
    await first.flush()  # written behind: the answer went out before the write finished
    exact = await second.complete(ask("What   is shoegaze?"))
    reworded = await second.complete(ask("shoegaze - what is it?"))
    streamed = await collect(second.stream(ask("What is shoegaze?")))
    assert exact.cached and reworded.cached
    assert exact.text == reworded.text == answer.text
    assert streamed[-1] == StreamEnd(exact)
    assert (first_inner.calls, second_inner.calls) == (1, 0)


async def test_personal_answers_stay_with_their_user_across_processes(make: Factory) -> None:
    alice_side, bob_side = ScriptedProvider(per_user), ScriptedProvider(per_user)
    on_alice, on_bob = make(alice_side), make(bob_side)
    question = "What did I listen to most?"
    await on_alice.complete(ask(question, user="alice", personal=True))
    await on_alice.flush()
    bob = await on_bob.complete(ask(question, user="bob", personal=True))
    await on_bob.flush()
    assert not bob.cached and bob.text.startswith("for bob")
    alice = await on_bob.complete(ask(question, user="alice", personal=True))
    assert alice.cached and alice.text.startswith("for alice")
    shared = await on_bob.complete(ask(question))
    assert not shared.cached and shared.text.startswith("for everyone")
