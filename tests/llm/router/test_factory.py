from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from echotune.llm.errors import BudgetExceeded
from echotune.llm.router import build_router
from echotune.settings import LLMSettings
from tests.llm.doubles import ScriptedProvider, ask


async def test_build_router_from_settings_with_redis_budgets(redis_db_url: str) -> None:
    settings = LLMSettings(policy="cheapest", user_daily_tokens=500, hedge_after_ms=0)
    registry = CollectorRegistry()
    dear = ScriptedProvider("dear", price_input=5.0, price_output=15.0)
    cheap = ScriptedProvider("cheap", price_input=0.1, price_output=0.4)
    router = build_router([dear, cheap], settings, registry=registry, redis_url=redis_db_url)
    try:
        assert router.policy == "cheapest"
        assert (await router.complete(ask(user_id="u1"))).provider == "cheap"
        await router.complete(ask(user_id="u1"))
        with pytest.raises(BudgetExceeded):
            await router.complete(ask(user_id="u1"))
        # A second router on the same Redis (another process) sees the same spending.
        other = build_router([cheap], settings, redis_url=redis_db_url)
        with pytest.raises(BudgetExceeded):
            await other.complete(ask(user_id="u1"))
        await other.aclose()
        assert registry.get_sample_value("echotune_llm_breaker_state", {"provider": "dear"}) == 0
    finally:
        await router.aclose()
