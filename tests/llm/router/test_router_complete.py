from __future__ import annotations

import asyncio

import pytest

from echotune.llm.errors import (
    BudgetExceeded,
    ContextTooLarge,
    NoProviderAvailable,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
)
from echotune.llm.router import BudgetLimits, Budgets
from tests.llm.doubles import FakeClock, Outcome, ScriptedProvider, ask
from tests.llm.router.conftest import down, limited, router_of


@pytest.mark.parametrize(
    "failure",
    [down(), limited(retry_after=None), Outcome(hang=True)],
    ids=["500", "429", "timeout"],
)
async def test_fails_over_on_retryable_errors(failure: Outcome) -> None:
    a = ScriptedProvider("a", script=[failure], timeout=0.02)
    b = ScriptedProvider("b")
    router = router_of(a, b)
    response = await router.complete(ask())
    assert response.provider == "b"
    assert (a.calls, b.calls) == (1, 1)
    assert router.describe()[0].errors == 1


async def test_rejected_is_raised_at_once() -> None:
    a = ScriptedProvider("a", script=[Outcome(error=ProviderRejected("a", "400 bad", 400))])
    b = ScriptedProvider("b")
    with pytest.raises(ProviderRejected):
        await router_of(a, b).complete(ask())
    assert b.calls == 0


async def test_all_failing_lists_every_attempt() -> None:
    router = router_of(
        ScriptedProvider("a", default=down("a")),
        ScriptedProvider("b", default=Outcome(hang=True), timeout=0.01),
    )
    with pytest.raises(NoProviderAvailable) as info:
        await router.complete(ask())
    assert info.value.attempts == ["a: 500 internal error", "b: no answer within 0.01 s"]


async def test_open_breaker_is_skipped_then_probed() -> None:
    clock = FakeClock()
    a = ScriptedProvider("a", script=[down(), down()])
    b = ScriptedProvider("b")
    router = router_of(a, b, clock=clock)
    for _ in range(3):
        assert (await router.complete(ask())).provider == "b"
    assert a.calls == 2  # opened after two failures, then skipped
    assert router.describe()[0].breaker == "open"
    clock.advance(5.0)
    assert (await router.complete(ask())).provider == "a"  # the probe succeeds
    assert router.describe()[0].breaker == "closed"


async def test_retry_after_keeps_a_provider_out() -> None:
    clock = FakeClock()
    a = ScriptedProvider("a", script=[limited(retry_after=60.0)])
    router = router_of(a, ScriptedProvider("b"), clock=clock)
    await router.complete(ask())
    clock.advance(59.0)
    assert (await router.complete(ask())).provider == "b"
    clock.advance(1.0)
    assert (await router.complete(ask())).provider == "a"


async def test_pinned_provider() -> None:
    clock = FakeClock()
    a = ScriptedProvider("a")
    b = ScriptedProvider("b", script=[down("b"), down("b")])
    router = router_of(a, b, clock=clock)
    with pytest.raises(ProviderUnavailable, match="500"):  # its own error, no failover
        await router.complete(ask(provider="b"))
    assert a.calls == 0
    await router.complete(ask())
    with pytest.raises(ProviderUnavailable):
        await router.complete(ask(provider="b"))
    with pytest.raises(ProviderUnavailable, match="circuit open.*next try in 5.0 s"):
        await router.complete(ask(provider="b"))
    clock.advance(5.0)
    assert (await router.complete(ask(provider="b"))).provider == "b"
    with pytest.raises(ProviderRejected, match="no provider of that name.*have: a, b"):
        await router.complete(ask(provider="c"))


async def test_context_window_skips_small_providers() -> None:
    small = ScriptedProvider("small", context_window=2_000)
    big = ScriptedProvider("big", context_window=200_000)
    router = router_of(small, big)
    assert (await router.complete(ask("x" * 8_000))).provider == "big"  # ~2000 in + 1024 out
    assert (await router.complete(ask("x" * 100))).provider == "small"
    with pytest.raises(ContextTooLarge, match="largest context window is 200000"):
        await router.complete(ask("x" * 1_000_000))


async def test_context_skips_are_named_when_everything_fails() -> None:
    router = router_of(
        ScriptedProvider("small", context_window=1_000),
        ScriptedProvider("big", default=down("big")),
    )
    with pytest.raises(NoProviderAvailable) as info:
        await router.complete(ask("x" * 8_000))
    assert info.value.attempts[1].startswith("small: context window 1000 < ~")


async def test_request_policy_overrides_the_default() -> None:
    dear = ScriptedProvider("dear", price_input=10.0, price_output=30.0)
    cheap = ScriptedProvider("cheap", price_input=0.1, price_output=0.4)
    router = router_of(dear, cheap)
    assert (await router.complete(ask())).provider == "dear"
    assert (await router.complete(ask(policy="cheapest"))).provider == "cheap"
    with pytest.raises(ProviderRejected, match="unknown policy"):
        await router.complete(ask(policy="random"))


async def test_concurrency_bound_is_respected() -> None:
    gate = asyncio.Event()
    a = ScriptedProvider("a", gate=gate, max_concurrency=2)
    router = router_of(a)
    calls = [asyncio.create_task(router.complete(ask())) for _ in range(6)]
    for _ in range(5):
        await asyncio.sleep(0)
    assert a.in_flight == 2
    gate.set()
    await asyncio.gather(*calls)
    assert (a.calls, a.max_in_flight) == (6, 2)


async def test_waiting_for_a_slot_is_not_the_providers_fault() -> None:
    a = ScriptedProvider("a", default=Outcome(hang=True), max_concurrency=1, timeout=0.03)
    b = ScriptedProvider("b")
    router = router_of(a, b)
    first, second = await asyncio.gather(router.complete(ask()), router.complete(ask()))
    assert first.provider == second.provider == "b"
    assert a.calls == 1 and router.describe()[0].errors == 1  # only the call that ran


async def test_budgets_are_checked_and_charged() -> None:
    budgets = Budgets(BudgetLimits(user_tokens=500))
    router = router_of(ScriptedProvider("a"), budgets=budgets)
    await router.complete(ask(user_id="u1"))  # estimate ~310 fits; 120 charged
    await router.complete(ask(user_id="u1"))  # 120 + ~310 fits; 240 charged
    with pytest.raises(BudgetExceeded, match="user u1's daily token budget"):
        await router.complete(ask(user_id="u1"))  # 240 + ~310 does not
    await router.complete(ask(user_id="u2"))


async def test_describe_and_rate() -> None:
    clock = FakeClock()
    a = ScriptedProvider("a", clock=clock, default=Outcome(latency=0.25), price_input=1.0,
                         price_output=2.0, quality=0.6)  # fmt: skip
    router = router_of(a, ScriptedProvider("b"), clock=clock)
    await router.complete(ask())
    assert router.rate("a", thumbs_up=True) and not router.rate("zzz", thumbs_up=True)
    status = router.describe()[0]
    assert (status.name, status.kind, status.model, status.breaker) == (
        "a", "openai", "a-model", "closed"
    )  # fmt: skip
    assert status.latency_ewma == pytest.approx(0.25) and status.latency_p95 == pytest.approx(0.25)
    assert (status.requests, status.errors, status.tokens_in, status.tokens_out) == (1, 0, 100, 20)
    assert status.cost == pytest.approx(140 / 1e6)
    assert status.quality == pytest.approx((0.6 * 20 + 1) / 21)
    assert status.availability == 1.0 and status.thumbs_up == 1


async def test_router_is_a_provider() -> None:
    a, b = ScriptedProvider("a", context_window=8_000), ScriptedProvider("b", context_window=32_000)
    router = router_of(a, b)
    assert router.config.name == "router" and router.config.context_window == 32_000
    await router.aclose()
    assert a.closed and b.closed


def test_rejects_bad_construction() -> None:
    with pytest.raises(ValueError, match="at least one"):
        router_of()
    with pytest.raises(ValueError, match="unique"):
        router_of(ScriptedProvider("a"), ScriptedProvider("a"))
    with pytest.raises(ValueError, match="unknown routing policy"):
        router_of(ScriptedProvider("a"), policy="random")


async def test_timeout_is_a_provider_timeout() -> None:
    a = ScriptedProvider("a", default=Outcome(hang=True), timeout=0.01)
    with pytest.raises(ProviderTimeout, match="no answer within 0.01 s"):
        await router_of(a).complete(ask(provider="a"))
    assert a.cancelled == 1


async def test_auth_rejections_count_against_the_provider_bad_requests_do_not() -> None:
    bad_request = Outcome(error=ProviderRejected("a", "400 bad request", 400))
    bad_key = Outcome(error=ProviderRejected("a", "401 invalid key", 401))
    a = ScriptedProvider("a", script=[bad_request, bad_request, bad_request, bad_key, bad_key])
    router = router_of(a, ScriptedProvider("b"))
    for _ in range(3):
        with pytest.raises(ProviderRejected, match="400"):
            await router.complete(ask())
    assert router.describe()[0].breaker == "closed"
    for _ in range(2):
        with pytest.raises(ProviderRejected, match="401"):
            await router.complete(ask())
    assert router.describe()[0].breaker == "open"  # a misconfigured key: stop asking it
    assert (await router.complete(ask())).provider == "b"
