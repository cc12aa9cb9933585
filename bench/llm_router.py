"""Added latency of the router + caches + breaker over a direct SDK call. Prints JSON.

A child process serves the loopback OpenAI fake (tests/fakes/llm). This process
calls it through the official `openai` SDK two ways, alternating batch by batch:
directly (`OpenAIProvider.complete`), and through the production stack
(`CachingProvider(Router([...]))` with the exact cache, the semantic cache and the
breaker, budgets and metrics on). Every request is new (a cache miss: the full
path, key, lookup and store included) and personal, as chat turns are. At
concurrency 1 and 50 it reports p50/p99 of each and the difference.

Because loopback HTTP timings are noisy at the 0.1 ms level, it also times the
same stack over an in-process provider that answers at once, against calling
that provider directly: the overhead alone, without the network.

    python bench/llm_router.py [--requests 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def serve_fake() -> None:
    sys.path.insert(0, str(ROOT))
    from tests.fakes.llm.openai_app import FakeOpenAI
    from tests.fakes.llm.server import serving

    fake = FakeOpenAI()
    with serving(fake) as server:
        fake.server_url = server.base_url
        print(json.dumps({"base_url": fake.base_url}), flush=True)
        sys.stdin.read()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def request(user: str) -> object:
    from echotune.chat.tool_specs import MUSIC_TOOLS
    from echotune.llm.types import ChatRequest, Message

    return ChatRequest(
        messages=(Message("system", "You are EchoTune."),
                  Message("user", f"something upbeat {uuid.uuid4().hex}")),
        tools=MUSIC_TOOLS, user_id=user, personal=True,
    )  # fmt: skip


def stack(inner: object) -> object:
    from prometheus_client import CollectorRegistry

    from echotune.llm.cache import (
        CacheMetrics,
        CachingProvider,
        MemorySemanticIndex,
        MemoryStore,
        SemanticCache,
    )
    from echotune.llm.embeddings import MiniLMEmbedder
    from echotune.llm.router.factory import build_router
    from echotune.settings import LLMSettings

    registry = CollectorRegistry()
    router = build_router([inner], LLMSettings(), registry)  # type: ignore[list-item]
    semantic = SemanticCache(MiniLMEmbedder(), MemorySemanticIndex())
    return CachingProvider(router, MemoryStore(), semantic, ttl=3600,
                           metrics=CacheMetrics(registry))  # fmt: skip


async def timed_batch(provider: object, concurrency: int) -> list[float]:
    async def one(i: int) -> float:
        req = request(f"user{i % 50}")
        start = time.perf_counter()
        await provider.complete(req)  # type: ignore[attr-defined]
        return (time.perf_counter() - start) * 1000

    return list(await asyncio.gather(*(one(i) for i in range(concurrency))))


async def compare(direct: object, routed: object, requests: int, concurrency: int) -> dict[str, float]:
    plain: list[float] = []
    stacked: list[float] = []
    await timed_batch(direct, concurrency)
    await timed_batch(routed, concurrency)  # warm both paths
    for round_ in range(max(1, requests // concurrency)):
        # ABBA order: whichever runs second after a pause does not always get the same one.
        if round_ % 2:
            stacked += await timed_batch(routed, concurrency)
            plain += await timed_batch(direct, concurrency)
        else:
            plain += await timed_batch(direct, concurrency)
            stacked += await timed_batch(routed, concurrency)
    return {
        "direct_p50_ms": round(pct(plain, 0.5), 3), "direct_p99_ms": round(pct(plain, 0.99), 3),
        "stack_p50_ms": round(pct(stacked, 0.5), 3), "stack_p99_ms": round(pct(stacked, 0.99), 3),
        "added_p50_ms": round(pct(stacked, 0.5) - pct(plain, 0.5), 3),
        "added_p99_ms": round(pct(stacked, 0.99) - pct(plain, 0.99), 3),
        "requests": len(plain),
    }  # fmt: skip


class Instant:
    """A provider that answers at once: what remains is the stack's own cost."""

    def __init__(self) -> None:
        from echotune.llm.provider import ProviderConfig

        self._config = ProviderConfig(name="instant", kind="openai", model="instant")

    @property
    def config(self) -> object:
        return self._config

    async def complete(self, request: object) -> object:
        from echotune.llm.types import ChatResponse, Usage

        return ChatResponse(text="ok", usage=Usage(20, 5), provider="instant", model="instant")

    async def aclose(self) -> None:
        return None


async def run(base_url: str, requests: int) -> dict[str, object]:
    from echotune.llm.provider import ProviderConfig
    from echotune.llm.providers.openai_provider import OpenAIProvider

    config = ProviderConfig(name="fake", kind="openai", model="gpt-test", base_url=base_url,
                            api_key="sk-bench", max_concurrency=64, timeout=10)  # fmt: skip
    direct = OpenAIProvider(config)
    routed = stack(OpenAIProvider(config))
    instant = Instant()
    instant_stack = stack(Instant())
    out: dict[str, object] = {}
    for c in (1, 50):
        out[f"loopback_sdk_concurrency_{c}"] = await compare(direct, routed, requests, c)
        out[f"in_process_concurrency_{c}"] = await compare(instant, instant_stack, requests * 5, c)
    out["target"] = "added p50 < 0.4 ms, p99 < 2 ms"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake:
        serve_fake()
        return
    child = subprocess.Popen([sys.executable, __file__, "--serve-fake"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)  # fmt: skip
    assert child.stdin and child.stdout
    try:
        info = json.loads(child.stdout.readline())
        print(json.dumps(asyncio.run(run(info["base_url"], args.requests)), indent=2))
    finally:
        child.stdin.close()
        child.wait(timeout=30)


if __name__ == "__main__":
    main()
