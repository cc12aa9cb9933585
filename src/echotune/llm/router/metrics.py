"""Prometheus metrics of the router, per provider, on the registry the application passes in.

A custom collector, not prometheus_client's Counter and Histogram objects: those take a
lock per increment, a cost on every model call. Here a call adds to plain numbers (the
router runs on one event loop thread) and the collector turns them into metric families
when /metrics is scraped. Tokens and cost are read from the provider's live stats, and the
breaker state from the breaker itself, so they cost nothing on the hot path.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence

from prometheus_client import CollectorRegistry
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from echotune.llm.errors import (
    LLMError,
    MalformedResponse,
    ProviderRateLimited,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
    StreamInterrupted,
)
from echotune.llm.router.stats import ProviderStats

LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0)
TTFT_BUCKETS = (0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 2.0, 4.0, 10.0)

ERROR_KINDS: dict[type[LLMError], str] = {
    ProviderRateLimited: "rate_limited",
    ProviderTimeout: "timeout",
    ProviderUnavailable: "unavailable",
    MalformedResponse: "malformed",
    ProviderRejected: "rejected",
    StreamInterrupted: "interrupted",
}


def error_kind(exc: LLMError) -> str:
    kind = ERROR_KINDS.get(type(exc))
    if kind is None:  # a subclass: the nearest known ancestor
        kind = next((k for cls, k in ERROR_KINDS.items() if isinstance(exc, cls)), "other")
    return kind


class Buckets:
    """A histogram's counts: counts[i] holds observations in (bounds[i-1], bounds[i]]."""

    __slots__ = ("bounds", "counts", "total")

    def __init__(self, bounds: Sequence[float]) -> None:
        self.bounds = tuple(bounds)
        self.counts = [0] * (len(self.bounds) + 1)
        self.total = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect_left(self.bounds, value)] += 1
        self.total += value

    def cumulative(self) -> list[tuple[str, float]]:
        out: list[tuple[str, float]] = []
        running = 0
        for bound, count in zip((*self.bounds, float("inf")), self.counts, strict=True):
            running += count
            out.append(("+Inf" if bound == float("inf") else repr(bound), running))
        return out


class ProviderMetrics:
    """One provider's numbers; the collector reads them at scrape time."""

    __slots__ = ("breaker_value", "errors", "latency", "name", "stats", "ttft")

    def __init__(self, name: str, stats: ProviderStats, breaker_value: Callable[[], float]):
        self.name = name
        self.stats = stats
        self.breaker_value = breaker_value
        self.latency = Buckets(LATENCY_BUCKETS)
        self.ttft = Buckets(TTFT_BUCKETS)
        self.errors = dict.fromkeys((*ERROR_KINDS.values(), "other"), 0)

    def success(self, latency: float) -> None:
        self.latency.observe(latency)

    def first_token(self, seconds: float) -> None:
        self.ttft.observe(seconds)

    def failure(self, exc: LLMError) -> None:
        self.errors[error_kind(exc)] += 1


class RouterMetrics(Collector):
    def __init__(self, registry: CollectorRegistry) -> None:
        self._providers: list[ProviderMetrics] = []
        registry.register(self)

    def bind(
        self, name: str, stats: ProviderStats, breaker_value: Callable[[], float]
    ) -> ProviderMetrics:
        metrics = ProviderMetrics(name, stats, breaker_value)
        self._providers.append(metrics)
        return metrics

    def describe(self) -> Iterable[Metric]:
        return _families()

    def collect(self) -> Iterable[Metric]:
        latency, ttft, tokens, cost, errors, breaker = families = _families()
        for p in self._providers:
            latency.add_metric([p.name], p.latency.cumulative(), p.latency.total)
            ttft.add_metric([p.name], p.ttft.cumulative(), p.ttft.total)
            tokens.add_metric([p.name, "input"], p.stats.tokens_in)
            tokens.add_metric([p.name, "output"], p.stats.tokens_out)
            cost.add_metric([p.name], p.stats.cost)
            for kind, count in p.errors.items():
                errors.add_metric([p.name, kind], count)
            breaker.add_metric([p.name], p.breaker_value())
        return families


def _families() -> tuple[
    HistogramMetricFamily,
    HistogramMetricFamily,
    CounterMetricFamily,
    CounterMetricFamily,
    CounterMetricFamily,
    GaugeMetricFamily,
]:
    return (
        HistogramMetricFamily(
            "echotune_llm_request_duration_seconds",
            "Duration of successful LLM calls (a stream: until its last event), by provider",
            labels=["provider"],
        ),
        HistogramMetricFamily(
            "echotune_llm_time_to_first_token_seconds",
            "Time from a stream's start to its first event, by provider",
            labels=["provider"],
        ),
        CounterMetricFamily(
            "echotune_llm_tokens",
            "Tokens by provider and direction (input, output)",
            labels=["provider", "direction"],
        ),
        CounterMetricFamily(
            "echotune_llm_cost_usd",
            "Spend in USD from usage and the configured prices, by provider",
            labels=["provider"],
        ),
        CounterMetricFamily(
            "echotune_llm_errors",
            "Failed LLM calls by provider and kind",
            labels=["provider", "kind"],
        ),
        GaugeMetricFamily(
            "echotune_llm_breaker_state",
            "Circuit breaker state by provider: 0 closed, 1 half-open, 2 open",
            labels=["provider"],
        ),
    )
