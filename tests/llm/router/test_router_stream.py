from __future__ import annotations

import pytest

from echotune.llm.errors import (
    NoProviderAvailable,
    ProviderRejected,
    ProviderUnavailable,
    StreamInterrupted,
)
from echotune.llm.router import BudgetLimits, Budgets, MemoryLedger, Router
from echotune.llm.types import ChatRequest, StreamEnd, StreamEvent, TextDelta
from tests.llm.doubles import FakeClock, Outcome, ScriptedProvider, ask
from tests.llm.router.conftest import down, router_of


async def collect(router: Router, request: ChatRequest) -> list[StreamEvent]:
    return [event async for event in router.stream(request)]


def text_of(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


async def test_streams_and_records_time_to_first_token() -> None:
    clock = FakeClock()
    a = ScriptedProvider("a", clock=clock, default=Outcome(ttft=0.3, text="hello there"))
    router = router_of(a, clock=clock)
    events = await collect(router, ask())
    assert text_of(events) == "hello there"
    assert isinstance(events[-1], StreamEnd) and events[-1].response.provider == "a"
    status = router.describe()[0]
    assert status.ttft_ewma == pytest.approx(0.3) and status.requests == 1


@pytest.mark.parametrize(
    "failure",
    [down(), Outcome(break_after=0), Outcome(hang=True)],
    ids=["error", "dropped-before-first-event", "no-first-event-in-time"],
)
async def test_fails_over_before_the_first_event(failure: Outcome) -> None:
    a = ScriptedProvider("a", script=[failure], timeout=0.02)
    b = ScriptedProvider("b", default=Outcome(text="from b"))
    events = await collect(router_of(a, b), ask())
    assert text_of(events) == "from b"
    assert isinstance(events[-1], StreamEnd) and events[-1].response.provider == "b"


async def test_interrupted_after_the_first_event_is_not_spliced() -> None:
    a = ScriptedProvider("a", script=[Outcome(text="one two three four", break_after=2)])
    b = ScriptedProvider("b")
    router = router_of(a, b)
    seen: list[StreamEvent] = []
    with pytest.raises(StreamInterrupted, match="broke off.*not continued by another model"):
        async for event in router.stream(ask()):
            seen.append(event)
    assert text_of(seen) == "one two"
    assert b.calls == 0
    assert router.describe()[0].errors == 1


async def test_a_stream_without_its_end_is_interrupted() -> None:
    a = ScriptedProvider("a", default=Outcome(end=False))
    with pytest.raises(StreamInterrupted, match="without its final event"):
        await collect(router_of(a, ScriptedProvider("b")), ask())


async def test_rejected_stream_is_not_failed_over() -> None:
    a = ScriptedProvider("a", script=[Outcome(error=ProviderRejected("a", "401 bad key", 401))])
    b = ScriptedProvider("b")
    with pytest.raises(ProviderRejected):
        await collect(router_of(a, b), ask())
    assert b.calls == 0


async def test_all_streams_failing() -> None:
    router = router_of(
        ScriptedProvider("a", default=down("a")), ScriptedProvider("b", default=down("b"))
    )
    with pytest.raises(NoProviderAvailable) as info:
        await collect(router, ask())
    assert len(info.value.attempts) == 2


async def test_stopping_at_the_end_still_charges_and_frees_the_slot() -> None:
    ledger = MemoryLedger()
    budgets = Budgets(BudgetLimits(user_tokens=1_000), ledger, now=lambda: 86_400 * 20_000.5)
    a = ScriptedProvider("a", max_concurrency=1)
    router = router_of(a, budgets=budgets)
    for _ in range(3):
        stream = router.stream(ask(user_id="u1"))
        async for event in stream:
            if isinstance(event, StreamEnd):
                break
        await stream.aclose()  # type: ignore[attr-defined]
    assert a.in_flight == 0
    assert router.describe()[0].tokens_in == 300
    user, _ = await ledger.spent("2024-10-04", "u1")
    assert (user.tokens, user.cost) == (360, 0.0)


async def test_pinned_stream_respects_its_breaker() -> None:
    clock = FakeClock()
    b = ScriptedProvider("b", default=down("b"))
    router = router_of(ScriptedProvider("a"), b, clock=clock)
    for _ in range(2):
        with pytest.raises(ProviderUnavailable, match="500"):
            await collect(router, ask(provider="b"))
    with pytest.raises(ProviderUnavailable, match="circuit open"):
        await collect(router, ask(provider="b"))
    assert b.calls == 2
