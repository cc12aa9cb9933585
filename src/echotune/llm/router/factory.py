"""Build the router from the settings: the one place that turns LLMSettings into a Router."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import CollectorRegistry

from echotune.llm.provider import Provider
from echotune.llm.router.breaker import BreakerConfig
from echotune.llm.router.budgets import BudgetLimits, Budgets, Ledger, MemoryLedger
from echotune.llm.router.metrics import RouterMetrics
from echotune.llm.router.redis_ledger import RedisLedger
from echotune.llm.router.router import Router
from echotune.settings import LLMSettings


def build_router(
    providers: Sequence[Provider],
    settings: LLMSettings,
    registry: CollectorRegistry | None = None,
    redis_url: str | None = None,
) -> Router:
    """Budgets live in Redis when `redis_url` is given (shared by every process), else here."""
    ledger: Ledger = RedisLedger.from_url(redis_url) if redis_url else MemoryLedger()
    return Router(
        providers,
        policy=settings.policy,
        budgets=Budgets(BudgetLimits.from_settings(settings), ledger),
        hedge_after=settings.hedge_after_ms / 1000 or None,
        metrics=RouterMetrics(registry) if registry is not None else None,
        breaker=BreakerConfig(
            failures=settings.breaker_failures, cooldown=settings.breaker_cooldown_seconds
        ),
    )
