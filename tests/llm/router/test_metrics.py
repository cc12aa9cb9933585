from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest

from echotune.llm.router import RouterMetrics
from tests.llm.doubles import FakeClock, Outcome, ScriptedProvider, ask
from tests.llm.router.conftest import down, limited, router_of


def value(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    return registry.get_sample_value(name, labels)


async def test_metrics_per_provider() -> None:
    registry = CollectorRegistry()
    clock = FakeClock()
    a = ScriptedProvider("a", script=[down(), limited(retry_after=None)])
    b = ScriptedProvider("b", clock=clock, default=Outcome(latency=0.2, ttft=0.1),
                         price_input=1.0, price_output=2.0)  # fmt: skip
    router = router_of(a, b, clock=clock, metrics=RouterMetrics(registry))
    await router.complete(ask())
    async for _ in router.stream(ask()):
        pass

    assert value(registry, "echotune_llm_request_duration_seconds_count", provider="b") == 2
    assert value(registry, "echotune_llm_time_to_first_token_seconds_count", provider="b") == 1
    assert value(registry, "echotune_llm_tokens_total", provider="b", direction="input") == 200
    assert value(registry, "echotune_llm_tokens_total", provider="b", direction="output") == 40
    assert value(registry, "echotune_llm_cost_usd_total", provider="b") == 2 * 140 / 1e6
    assert value(registry, "echotune_llm_errors_total", provider="a", kind="unavailable") == 1
    assert value(registry, "echotune_llm_errors_total", provider="a", kind="rate_limited") == 1
    # Two failures opened a's breaker (2); b's is closed (0).
    assert value(registry, "echotune_llm_breaker_state", provider="a") == 2
    assert value(registry, "echotune_llm_breaker_state", provider="b") == 0
    clock.advance(5.0)
    assert value(registry, "echotune_llm_breaker_state", provider="a") == 1  # half-open
    assert b"echotune_llm_breaker_state" in generate_latest(registry)
