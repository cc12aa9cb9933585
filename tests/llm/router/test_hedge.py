from __future__ import annotations

import time

import pytest

from echotune.llm.errors import ProviderRejected
from tests.llm.doubles import Outcome, ScriptedProvider, ask
from tests.llm.router.conftest import down, router_of


async def test_hedge_takes_the_faster_and_cancels_the_other() -> None:
    slow = ScriptedProvider("slow", default=Outcome(latency=0.5))
    fast = ScriptedProvider("fast", default=Outcome(latency=0.02))
    router = router_of(slow, fast, hedge_after=0.02)
    started = time.perf_counter()
    response = await router.complete(ask(latency_critical=True))
    assert response.provider == "fast"
    assert time.perf_counter() - started < 0.3
    assert slow.cancelled == 1
    assert router.describe()[0].requests == 0  # the cancelled loser records nothing


async def test_no_hedge_when_the_first_answers_in_time() -> None:
    a = ScriptedProvider("a", default=Outcome(latency=0.005))
    b = ScriptedProvider("b")
    router = router_of(a, b, hedge_after=0.1)
    assert (await router.complete(ask(latency_critical=True))).provider == "a"
    assert b.calls == 0


async def test_no_hedge_unless_latency_critical() -> None:
    a = ScriptedProvider("a", default=Outcome(latency=0.06))
    b = ScriptedProvider("b")
    router = router_of(a, b, hedge_after=0.01)
    assert (await router.complete(ask())).provider == "a"
    assert b.calls == 0


async def test_hedged_call_fails_over_at_once() -> None:
    a = ScriptedProvider("a", default=down())
    b = ScriptedProvider("b")
    router = router_of(a, b, hedge_after=10.0)
    started = time.perf_counter()
    assert (await router.complete(ask(latency_critical=True))).provider == "b"
    assert time.perf_counter() - started < 1.0


async def test_hedged_rejection_is_raised_and_cancels_the_other() -> None:
    a = ScriptedProvider("a", default=Outcome(latency=0.05, error=ProviderRejected("a", "bad")))
    b = ScriptedProvider("b", default=Outcome(latency=1.0))
    router = router_of(a, b, hedge_after=0.01)
    with pytest.raises(ProviderRejected):
        await router.complete(ask(latency_critical=True))
    assert b.cancelled == 1
