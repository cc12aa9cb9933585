from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import redis.asyncio as aioredis

from echotune.llm.errors import BudgetExceeded
from echotune.llm.router.budgets import BudgetLimits, Budgets, Ledger, MemoryLedger, Spend
from echotune.llm.router.redis_ledger import RedisLedger
from echotune.settings import LLMSettings
from tests.llm.doubles import FakeClock

NINE_PM = datetime(2025, 6, 1, 21, 0, tzinfo=UTC).timestamp()


@pytest.fixture(params=["memory", "redis"])
async def ledger(request: pytest.FixtureRequest) -> AsyncIterator[Ledger]:
    if request.param == "memory":
        yield MemoryLedger()
        return
    url = request.getfixturevalue("redis_db_url")
    redis_ledger = RedisLedger.from_url(url)
    yield redis_ledger
    await redis_ledger.aclose()


def budgets(ledger: Ledger, clock: FakeClock, **limits: float) -> Budgets:
    return Budgets(BudgetLimits(**limits), ledger, now=clock)  # type: ignore[arg-type]


async def test_user_token_budget(ledger: Ledger) -> None:
    b = budgets(ledger, FakeClock(NINE_PM), user_tokens=1000)
    await b.check("u1", 600, 0.0)
    await b.charge("u1", 600, 0.0)
    with pytest.raises(BudgetExceeded) as info:
        await b.check("u1", 500, 0.0)
    err = info.value
    assert err.scope == "user"
    assert err.retry_after == pytest.approx(3 * 3600)
    assert "user u1's daily token budget" in err.message and "600 of 1000 tokens" in err.message
    assert "resets at 00:00 UTC, in 3h00m" in err.message
    await b.check("u2", 500, 0.0)  # another user has their own budget
    await b.check(None, 500, 0.0)  # no user: only global budgets apply


async def test_global_cost_budget(ledger: Ledger) -> None:
    b = budgets(ledger, FakeClock(NINE_PM), global_cost=1.0, user_cost=0.8)
    await b.charge("u1", 10, 0.5)
    await b.charge("u2", 10, 0.45)
    await b.check("u3", 10, 0.04)
    with pytest.raises(BudgetExceeded) as info:
        await b.check("u3", 10, 0.06)
    assert info.value.scope == "global"
    assert "the global daily cost budget" in info.value.message
    with pytest.raises(BudgetExceeded) as user_info:
        await b.check("u1", 10, 0.31)  # u1's own 0.8 goes first
    assert user_info.value.scope == "user" and "cost" in user_info.value.message


async def test_budgets_reset_with_the_utc_day(ledger: Ledger) -> None:
    clock = FakeClock(NINE_PM)
    b = budgets(ledger, clock, user_tokens=100, global_tokens=150)
    await b.charge("u1", 100, 0.0)
    with pytest.raises(BudgetExceeded):
        await b.check("u1", 1, 0.0)
    clock.advance(3 * 3600)
    await b.check("u1", 100, 0.0)


async def test_redis_keys_name_the_day_and_expire(redis_db_url: str) -> None:
    ledger = RedisLedger.from_url(redis_db_url)
    b = Budgets(BudgetLimits(user_tokens=10, global_cost=5.0), ledger, now=FakeClock(NINE_PM))
    await b.charge("u1", 7, 0.25)
    client = aioredis.Redis.from_url(redis_db_url, decode_responses=True)
    try:
        keys = sorted(await client.keys("*"))
        assert keys == [
            "echotune:llm:budget:2025-06-01:global:cost",
            "echotune:llm:budget:2025-06-01:global:tokens",
            "echotune:llm:budget:2025-06-01:user:u1:cost",
            "echotune:llm:budget:2025-06-01:user:u1:tokens",
        ]
        assert await client.get("echotune:llm:budget:2025-06-01:user:u1:cost") == "0.25"
        assert await client.ttl(keys[0]) > 0
    finally:
        await client.aclose()
        await ledger.aclose()


async def test_no_limits_means_no_ledger_traffic() -> None:
    class Exploding(MemoryLedger):
        async def spent(self, day: str, user_id: str | None) -> tuple[Spend, Spend]:
            raise AssertionError("no budget should be looked up")

    b = Budgets(BudgetLimits(), Exploding())
    await b.check("u1", 10**9, 10**9)


def test_limits_from_settings_zero_means_unlimited() -> None:
    limits = BudgetLimits.from_settings(LLMSettings(user_daily_tokens=0, global_daily_cost=0))
    assert limits.user_tokens is None and limits.global_cost is None
    assert limits.user_cost == 1.0 and limits.global_tokens == 5_000_000


async def test_a_spent_budget_leaves_the_free_offline_assistant() -> None:
    from echotune.llm.router.router import Router
    from echotune.llm.types import Usage
    from tests.llm.doubles import Outcome, ScriptedProvider, ask

    # The first answer uses 5,000 of 2,000 tokens: the budget is spent after it.
    big = Outcome(usage=Usage(4_900, 100))
    paid = ScriptedProvider("paid", default=big, price_input=1.0, price_output=1.0)
    local = ScriptedProvider("local", kind="local", default=big)
    limits = BudgetLimits(user_tokens=2_000)
    router = Router([paid, local], policy="ordered", budgets=Budgets(limits, MemoryLedger()))
    first = await router.complete(ask(user_id="u1"))
    assert first.provider == "paid"
    second = await router.complete(ask(user_id="u1"))
    assert second.provider == "local" and paid.calls == 1
    third = await router.complete(ask(user_id="u1"))  # local answers are not charged
    assert third.provider == "local"
    with pytest.raises(BudgetExceeded, match="token budget"):
        await router.complete(ask(user_id="u1", provider="paid"))
    only_paid = Router([ScriptedProvider("p2", default=big)],
                       budgets=Budgets(limits, MemoryLedger()))  # fmt: skip
    await only_paid.complete(ask(user_id="u2"))
    with pytest.raises(BudgetExceeded):
        await only_paid.complete(ask(user_id="u2"))
