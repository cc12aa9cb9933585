"""The semantic cache with the real MiniLM at the default threshold (0.92)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from threadpoolctl import threadpool_limits

from echotune.llm.cache.provider import CachingProvider
from echotune.llm.cache.semantic import SemanticCache
from echotune.llm.cache.semantic_index import MemorySemanticIndex
from echotune.llm.cache.store import MemoryStore
from tests.llm.cache.doubles import ScriptedProvider, ask
from tests.llm.cache.minilm import shared_minilm


@pytest.fixture(autouse=True)
def one_blas_thread() -> Iterator[None]:
    with threadpool_limits(1, "blas"):
        yield


def build(inner: ScriptedProvider) -> CachingProvider:
    semantic = SemanticCache(shared_minilm(), MemorySemanticIndex(), threshold=0.92)
    return CachingProvider(inner, MemoryStore(), semantic, ttl=60)


async def test_paraphrases_hit_near_misses_do_not() -> None:
    inner = ScriptedProvider()
    caching = build(inner)
    motown = await caching.complete(ask("Who founded Motown Records?"))
    paraphrase = await caching.complete(ask("Who was the founder of Motown Records?"))  # 0.97
    assert paraphrase.cached and paraphrase.text == motown.text
    other_label = await caching.complete(ask("Who founded Def Jam Recordings?"))  # 0.58
    assert not other_label.cached
    assert not (await caching.complete(ask("how do I bake bread"))).cached
    assert inner.calls == 3


async def test_same_shape_other_meaning_misses_and_personal_is_never_embedded() -> None:
    inner = ScriptedProvider()
    caching = build(inner)
    await caching.complete(ask("What BPM is good for running?"))
    assert not (await caching.complete(ask("What BPM is good for sleeping?"))).cached  # 0.73
    mine = await caching.complete(ask("What BPM is good for running?", user="a", personal=True))
    assert not mine.cached
    assert inner.calls == 3
