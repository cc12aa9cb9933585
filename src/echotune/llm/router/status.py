"""A provider's live status, as GET /api/v1/llm/providers shows it."""

from __future__ import annotations

from dataclasses import dataclass

from echotune.llm.router.slot import Slot


@dataclass(frozen=True)
class ProviderStatus:
    name: str
    kind: str
    model: str
    breaker: str  # closed, open or half_open
    retry_in: float  # seconds until an open breaker lets a probe through; 0 otherwise
    latency_ewma: float | None  # seconds; None before the first call
    latency_p95: float | None
    ttft_ewma: float | None
    availability: float  # success share of the recent calls, 0..1
    requests: int
    errors: int
    tokens_in: int
    tokens_out: int
    cost: float  # USD, from usage and the configured prices
    quality: float  # configured prior moved by user thumbs, 0..1
    thumbs_up: int
    thumbs_down: int
    context_window: int
    max_concurrency: int
    in_flight: int  # calls running now


def status_of(slot: Slot) -> ProviderStatus:
    config, stats, breaker = slot.config, slot.stats, slot.breaker
    return ProviderStatus(
        name=config.name,
        kind=config.kind,
        model=config.model,
        breaker=breaker.state.value,
        retry_in=round(breaker.retry_in(), 3),
        latency_ewma=stats.latency_ewma,
        latency_p95=stats.latency_p95,
        ttft_ewma=stats.ttft_ewma,
        availability=stats.availability,
        requests=stats.requests,
        errors=stats.errors,
        tokens_in=stats.tokens_in,
        tokens_out=stats.tokens_out,
        cost=stats.cost,
        quality=stats.quality,
        thumbs_up=stats.thumbs_up,
        thumbs_down=stats.thumbs_down,
        context_window=config.context_window,
        max_concurrency=config.max_concurrency,
        in_flight=slot.limit.in_use,
    )
