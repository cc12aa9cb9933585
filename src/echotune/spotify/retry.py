"""Retries with a hard cap on waiting: the fix for clients that sleep for hours on a 429.

- 429 with Retry-After <= cap: sleep that long, then try again.
- 429 above the cap: raise SpotifyRateLimited at once, and refuse that token's requests
  until the reset time without calling Spotify (no request would succeed before it).
- 5xx and timeouts: retry after each of `delays` (jittered), then SpotifyServerError or
  SpotifyTimeout. A request that is not idempotent (a POST) is only resent when it certainly
  never reached Spotify, so a playlist never gets the same items twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from echotune.spotify.errors import SpotifyRateLimited, SpotifyServerError, SpotifyTimeout
from echotune.spotify.metrics import SpotifyMetrics
from echotune.spotify.transport import SpotifyRequest, SpotifyResponse, Transport, retry_after

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


def default_jitter(delay: float) -> float:
    """Spread retries of many clients over +-20% so they do not return in lockstep."""
    return delay * random.uniform(0.8, 1.2)


class RetryingTransport:
    def __init__(
        self,
        inner: Transport,
        max_retry_after: float = 30.0,
        delays: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0),
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[float], float] = default_jitter,
        metrics: SpotifyMetrics | None = None,
    ) -> None:
        self._inner = inner
        self._cap = max_retry_after
        self._delays = delays
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter
        self._metrics = metrics
        self._held_until: dict[str | None, float] = {}

    async def send(self, request: SpotifyRequest) -> SpotifyResponse:
        failures = 0
        limited = 0
        while True:
            # Checked before every attempt: a hold may start while this request backs off.
            self._check_hold(request)
            try:
                response = await self._inner.send(request)
            except SpotifyTimeout as exc:
                unsafe = exc.request_sent and not request.is_idempotent
                if failures >= len(self._delays) or unsafe:
                    raise
                await self._backoff(request, failures, exc.message.rpartition(": ")[2])
                failures += 1
                continue
            if response.status == 429:
                wait = self._rate_limit_wait(request, response, limited)
                await self._pause("retry_after", wait)
                limited += 1
                continue
            if response.status >= 500:
                if failures >= len(self._delays) or not request.is_idempotent:
                    raise SpotifyServerError(_describe(request, response.status), response.status)
                await self._backoff(request, failures, f"status {response.status}")
                failures += 1
                continue
            return response

    def _check_hold(self, request: SpotifyRequest) -> None:
        until = self._held_until.get(request.token_key)
        if until is None:
            return
        remaining = until - self._clock()
        if remaining > 0:
            raise SpotifyRateLimited(
                f"{_describe(request)}: rate limited, retry in {remaining:.0f} s", remaining
            )
        del self._held_until[request.token_key]

    def _rate_limit_wait(
        self, request: SpotifyRequest, response: SpotifyResponse, attempt: int
    ) -> float:
        """Seconds to sleep before the next try, or raise when waiting would exceed the cap."""
        header = retry_after(response)
        wait = header if header is not None else self._delays[min(attempt, len(self._delays) - 1)]
        # A run of 429s that each fit under the cap still ends: after as many tries as the
        # 5xx schedule allows, the caller gets the error rather than an endless loop.
        if wait > self._cap or attempt >= len(self._delays):
            self._held_until[request.token_key] = self._clock() + wait
            log.warning("spotify rate limited: %s, retry after %.0f s", _describe(request), wait)
            raise SpotifyRateLimited(
                f"{_describe(request)}: rate limited, retry in {wait:.0f} s", wait
            )
        return wait

    async def _backoff(self, request: SpotifyRequest, failures: int, why: str) -> None:
        delay = min(self._jitter(self._delays[failures]), self._cap)
        log.info("spotify retry %d of %s after %s", failures + 1, _describe(request), why)
        await self._pause("backoff", delay)

    async def _pause(self, reason: str, seconds: float) -> None:
        if self._metrics is not None:
            self._metrics.wait(reason, seconds)
        await self._sleep(seconds)

    async def aclose(self) -> None:
        await self._inner.aclose()


def _describe(request: SpotifyRequest, status: int | None = None) -> str:
    text = f"{request.method} {urlsplit(request.url).path}"
    return text if status is None else f"{text}: Spotify answered {status}"
