"""One provider as the router holds it: the provider, its live stats, breaker, concurrency
bound and metrics, and the two guarded calls that record every outcome.

Outcomes: a success, or a retryable error, or an auth rejection (401/403: that provider is
misconfigured, so its breaker should open) count for the breaker and availability. Any
other rejection is the request's fault, not the provider's: counted as an error, nothing
more. A cancelled call (a hedge's loser, a caller who went away) records nothing. A timeout
while waiting for a free concurrency slot is our own queueing: it fails over but does not
count against the provider.

Timeouts come from the router's shared `Deadlines` (one timer for every call) and the
concurrency bound from a `ConcurrencyLimit`: the two cheapest ways we measured to keep
a call from hanging and a provider from being flooded.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import replace

from echotune.llm.errors import (
    MalformedResponse,
    ProviderError,
    ProviderRateLimited,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
)
from echotune.llm.provider import Provider, ProviderConfig
from echotune.llm.router.breaker import STATE_VALUE, BreakerConfig, CircuitBreaker, Permit
from echotune.llm.router.deadlines import Deadlines
from echotune.llm.router.limit import ConcurrencyLimit
from echotune.llm.router.metrics import ProviderMetrics, RouterMetrics
from echotune.llm.router.stats import Epoch, ProviderStats
from echotune.llm.types import ChatRequest, ChatResponse, StreamEnd, StreamEvent


class Slot:
    __slots__ = (
        "_clock",
        "_deadlines",
        "_epoch",
        "_metrics",
        "breaker",
        "config",
        "limit",
        "name",
        "provider",
        "stats",
    )

    def __init__(
        self,
        provider: Provider,
        breaker: BreakerConfig,
        clock: Callable[[], float],
        metrics: RouterMetrics | None,
        deadlines: Deadlines,
        epoch: Epoch,
    ) -> None:
        self.provider = provider
        self.config: ProviderConfig = provider.config
        self.name = self.config.name
        self.stats = ProviderStats(self.config.quality)
        self.breaker = CircuitBreaker(breaker, clock)
        self.limit = ConcurrencyLimit(self.config.max_concurrency)
        self._clock = clock
        self._deadlines = deadlines
        self._epoch = epoch
        self._metrics: ProviderMetrics | None = None
        if metrics is not None:
            breaker_value = self._breaker_value
            self._metrics = metrics.bind(self.name, self.stats, breaker_value)

    async def complete(self, request: ChatRequest, permit: Permit) -> ChatResponse:
        timeout = self.config.timeout
        deadlines = self._deadlines
        token = deadlines.start(timeout)
        start: float | None = None
        try:
            if not self.limit.try_take():
                await self.limit.take()
            try:
                start = self._clock()
                response = await self.provider.complete(request)
            finally:
                self.limit.release()
        except asyncio.CancelledError:
            if not deadlines.stop(token):
                self.breaker.release(permit)
                raise
            if start is None:
                raise self._queue_timeout(permit) from None
            timed_out = ProviderTimeout(self.name, f"no answer within {timeout:g} s")
            self.failed(permit, timed_out, timeout)
            raise timed_out from None
        except ProviderError as exc:
            deadlines.stop(token)
            self.failed(permit, exc, None if start is None else self._clock() - start)
            raise
        except BaseException:
            deadlines.stop(token)
            self.breaker.release(permit)
            raise
        deadlines.stop(token)
        return self._succeeded(permit, response, self._clock() - start)

    async def stream(
        self, request: ChatRequest, permit: Permit
    ) -> AsyncGenerator[StreamEvent, None]:
        """The provider's events, guarded: the first and every next one within the timeout.
        Stats and breaker are settled before StreamEnd is yielded, since a caller may stop
        iterating as soon as it has the answer."""
        if not self.limit.try_take():
            await self._wait_for_slot(permit)
        start = self._clock()
        first = True
        events = self.provider.stream(request)
        try:
            while True:
                event = await self._next_event(events)
                if event is None:
                    raise MalformedResponse(self.name, "stream ended without its final event")
                if first:
                    first = False
                    self._first_event(start)
                if isinstance(event, StreamEnd):
                    latency = self._clock() - start
                    response = self._succeeded(permit, event.response, latency)
                    yield event if response is event.response else StreamEnd(response)
                    return
                yield event
        except ProviderError as exc:
            self.failed(permit, exc, self._clock() - start)
            raise
        except BaseException:
            self.breaker.release(permit)
            raise
        finally:
            self.limit.release()
            await _close(events)

    async def _wait_for_slot(self, permit: Permit) -> None:
        token = self._deadlines.start(self.config.timeout)
        try:
            await self.limit.take()
        except asyncio.CancelledError:
            if self._deadlines.stop(token):
                raise self._queue_timeout(permit) from None
            self.breaker.release(permit)
            raise
        self._deadlines.stop(token)

    async def _next_event(self, events: AsyncIterator[StreamEvent]) -> StreamEvent | None:
        """The next event, None at the end; ProviderTimeout if none comes in time."""
        token = self._deadlines.start(self.config.timeout)
        try:
            event = await anext(events)
        except StopAsyncIteration:
            self._deadlines.stop(token)
            return None
        except asyncio.CancelledError:
            if self._deadlines.stop(token):
                timeout = self.config.timeout
                raise ProviderTimeout(self.name, f"no event within {timeout:g} s") from None
            raise
        except BaseException:
            self._deadlines.stop(token)
            raise
        self._deadlines.stop(token)
        return event

    def _breaker_value(self) -> float:
        return STATE_VALUE[self.breaker.state]

    def failed(self, permit: Permit, exc: ProviderError, latency: float | None) -> None:
        if isinstance(exc, ProviderRejected) and exc.status not in (401, 403):
            self.breaker.release(permit)
            self.stats.requests += 1
            self.stats.errors += 1
        else:
            retry_after = exc.retry_after if isinstance(exc, ProviderRateLimited) else None
            self.breaker.failure(permit, retry_after)
            self.stats.failure(latency)
            self._epoch.value += 1  # availability dropped: re-rank now
        if self._metrics is not None:
            self._metrics.failure(exc)

    def reason(self, exc: ProviderError) -> str:
        """Why this provider failed, for NoProviderAvailable.attempts."""
        return exc.message if exc.provider == self.name else f"{self.name}: {exc.message}"

    def open_error(self) -> ProviderUnavailable:
        """The breaker said no: open, or half-open with its one probe still out."""
        wait = self.breaker.retry_in()
        if wait > 0:
            return ProviderUnavailable(self.name, f"circuit open, next try in {wait:.1f} s")
        return ProviderUnavailable(self.name, "circuit half-open, a probe call is still out")

    def _queue_timeout(self, permit: Permit) -> ProviderTimeout:
        self.breaker.release(permit)
        exc = ProviderTimeout(
            self.name,
            f"all {self.config.max_concurrency} concurrent slots stayed busy for "
            f"{self.config.timeout:g} s",
        )
        if self._metrics is not None:
            self._metrics.failure(exc)
        return exc

    def _first_event(self, start: float) -> None:
        ttft = self._clock() - start
        self.stats.ttft(ttft)
        if self._metrics is not None:
            self._metrics.first_token(ttft)

    def _succeeded(self, permit: Permit, response: ChatResponse, latency: float) -> ChatResponse:
        usage = response.usage
        tokens_in, tokens_out = usage.input_tokens, usage.output_tokens
        cost = self.config.cost(tokens_in, tokens_out)
        self.stats.success(latency, tokens_in, tokens_out, cost)
        self.breaker.success(permit)
        if self._metrics is not None:
            self._metrics.success(latency)
        if not response.provider:
            model = response.model or self.config.model
            response = replace(response, provider=self.name, model=model)
        return response


async def _close(events: AsyncIterator[StreamEvent]) -> None:
    # Stop the provider's generator now (closing its HTTP stream), not whenever it is collected.
    aclose = getattr(events, "aclose", None)
    if aclose is not None:
        await aclose()
