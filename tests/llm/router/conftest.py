"""Helpers shared by the router tests: a router over scripted providers on a fake clock."""

from __future__ import annotations

from echotune.llm.errors import ProviderRateLimited, ProviderUnavailable
from echotune.llm.router import BreakerConfig, Router
from tests.llm.doubles import FakeClock, Outcome, ScriptedProvider

FAST_BREAKER = BreakerConfig(failures=2, cooldown=5.0, probes_to_close=1)


def down(provider: str = "a") -> Outcome:
    return Outcome(error=ProviderUnavailable(provider, "500 internal error", status=500))


def limited(provider: str = "a", retry_after: float | None = 30.0) -> Outcome:
    return Outcome(error=ProviderRateLimited(provider, "429 too many requests", retry_after))


def router_of(
    *providers: ScriptedProvider, clock: FakeClock | None = None, **kwargs: object
) -> Router:
    kwargs.setdefault("policy", "ordered")
    kwargs.setdefault("breaker", FAST_BREAKER)
    return Router(providers, clock=clock or FakeClock(), **kwargs)  # type: ignore[arg-type]
