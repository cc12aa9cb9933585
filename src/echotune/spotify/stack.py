"""build_transport: the production stack of wrappers, in the one order that is right.

CachingTransport       fresh hits never spend budget or meet a 429 hold
 RetryingTransport     every retry goes back through the limiter for a new slot
  RateLimitedTransport the window budget, HIGH before LOW
   MeteredTransport    counts what actually reaches the network
    HttpxTransport
"""

from __future__ import annotations

import asyncio

from prometheus_client import CollectorRegistry

from echotune.spotify.cache import CachingTransport
from echotune.spotify.config import SpotifyConfig
from echotune.spotify.http_transport import HttpxTransport
from echotune.spotify.metrics import MeteredTransport, SpotifyMetrics
from echotune.spotify.ratelimit import RateLimitedTransport
from echotune.spotify.retry import RetryingTransport, Sleep
from echotune.spotify.transport import Transport
from echotune.spotify.window import InProcessWindow, RedisWindow, WindowBudget


def build_window(config: SpotifyConfig) -> WindowBudget:
    if config.redis_url:
        return RedisWindow.from_url(
            config.redis_url,
            config.window_budget,
            config.window_seconds,
            key=f"echotune:spotify:window:{config.client_id}",
        )
    return InProcessWindow(config.window_budget, config.window_seconds)


def build_transport(
    config: SpotifyConfig,
    registry: CollectorRegistry,
    *,
    inner: Transport | None = None,
    window: WindowBudget | None = None,
    sleep: Sleep | None = None,
) -> Transport:
    """The full stack over httpx (or over `inner`, a test double), metrics into `registry`."""
    metrics = SpotifyMetrics(registry)
    base = inner if inner is not None else HttpxTransport(timeout=config.timeout)
    limited = RateLimitedTransport(
        MeteredTransport(base, metrics),
        window if window is not None else build_window(config),
        max_block=config.max_retry_after,
        metrics=metrics,
    )
    retrying = RetryingTransport(
        limited,
        max_retry_after=config.max_retry_after,
        delays=config.retry_delays,
        sleep=sleep or asyncio.sleep,
        metrics=metrics,
    )
    return CachingTransport(retrying, max_entries=config.cache_entries, metrics=metrics)
