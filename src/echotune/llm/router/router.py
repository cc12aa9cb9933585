"""The router: one Provider in front of many, choosing, guarding and failing over.

A request goes through: plan (pinned provider, or the providers whose context window fits,
ranked by the policy) -> budget check on the estimate -> the candidates in turn, skipping
open breakers, each call bounded by its provider's concurrency and timeout -> the first
answer, charged to the budgets with its actual usage.

Failover: a retryable error moves on to the next candidate; a ProviderRejected (a bad
request or key) is raised at once, since another provider would most likely refuse it too.
A pinned provider (`request.provider`) is never failed over: its own error is raised.

Streams fail over only until the first event has reached the caller. After that a failure
raises StreamInterrupted: the caller shows what arrived plus a clear error, and may ask
again. The router never continues one model's half-written answer with another model's,
because the splice would read as one answer that neither model gave.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace

from echotune.llm.errors import (
    BudgetExceeded,
    NoProviderAvailable,
    ProviderError,
    StreamInterrupted,
)
from echotune.llm.provider import Provider, ProviderConfig
from echotune.llm.router.breaker import BreakerConfig
from echotune.llm.router.budgets import Budgets
from echotune.llm.router.deadlines import Deadlines
from echotune.llm.router.hedge import hedged_complete
from echotune.llm.router.metrics import RouterMetrics
from echotune.llm.router.plan import Plan, make_plan
from echotune.llm.router.policies import POLICIES
from echotune.llm.router.ranking import Rankings
from echotune.llm.router.slot import Slot
from echotune.llm.router.stats import Epoch
from echotune.llm.router.status import ProviderStatus, status_of
from echotune.llm.types import ChatRequest, ChatResponse, StreamEnd, StreamEvent


class Router:
    def __init__(
        self,
        providers: Sequence[Provider],
        policy: str = "balanced",
        budgets: Budgets | None = None,
        hedge_after: float | None = None,
        metrics: RouterMetrics | None = None,
        clock: Callable[[], float] = time.monotonic,
        breaker: BreakerConfig | None = None,
    ) -> None:
        if not providers:
            raise ValueError("the router needs at least one provider")
        if policy not in POLICIES:
            raise ValueError(f"unknown routing policy {policy!r}; one of {', '.join(POLICIES)}")
        breaker_config = breaker or BreakerConfig()
        deadlines, self._epoch = Deadlines(), Epoch()
        self._slots = tuple(
            Slot(p, breaker_config, clock, metrics, deadlines, self._epoch) for p in providers
        )
        self._rankings = Rankings(self._slots, self._epoch, clock)
        self._by_name = {slot.name: slot for slot in self._slots}
        if len(self._by_name) != len(self._slots):
            raise ValueError("provider names must be unique")
        self._policy = policy
        self._budgets = budgets
        self._hedge_after = hedge_after if hedge_after and hedge_after > 0 else None
        configs = [slot.config for slot in self._slots]
        # Synthetic: describes the whole pool. Kind is the first provider's (the Protocol's
        # kinds have no "router"); nothing should branch on it.
        self._config = ProviderConfig(
            name="router",
            kind=configs[0].kind,
            model="router",
            context_window=max(c.context_window for c in configs),
            quality=max(c.quality for c in configs),
            max_concurrency=sum(c.max_concurrency for c in configs),
            timeout=sum(c.timeout for c in configs),
        )

    @property
    def config(self) -> ProviderConfig:
        return self._config

    @property
    def policy(self) -> str:
        return self._policy

    async def complete(self, request: ChatRequest) -> ChatResponse:
        plan = await self._budgeted(
            request, make_plan(request, self._rankings, self._by_name, self._policy)
        )
        budgets = self._budgets
        attempts: list[str] = []
        if request.latency_critical and self._hedge_after is not None and len(plan.candidates) > 1:
            won = await hedged_complete(plan.candidates, request, self._hedge_after, attempts)
            if won is None:
                raise self._exhausted(request, plan, attempts)
            slot, response = won
        else:
            # Inline rather than a helper coroutine: every suspension inside the provider's
            # call passes through each awaiting frame, so one frame fewer is cheaper I/O.
            pinned = request.provider is not None
            for slot in plan.candidates:
                permit = slot.breaker.allow()
                if not permit:
                    _skip(slot, pinned, attempts)
                    continue
                try:
                    response = await slot.complete(request, permit)
                    break
                except ProviderError as exc:
                    _failed(slot, exc, pinned, attempts)
            else:
                raise self._exhausted(request, plan, attempts)
        if budgets is not None and not _free(slot):
            usage = response.usage
            cost = slot.config.cost(usage.input_tokens, usage.output_tokens)
            await budgets.charge(request.user_id, usage.total, cost)
        return response

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        plan = await self._budgeted(
            request, make_plan(request, self._rankings, self._by_name, self._policy)
        )
        budgets = self._budgets
        attempts: list[str] = []
        pinned = request.provider is not None
        for slot in plan.candidates:
            permit = slot.breaker.allow()
            if not permit:
                _skip(slot, pinned, attempts)
                continue
            sent = False
            events = slot.stream(request, permit)
            try:
                async for event in events:
                    if isinstance(event, StreamEnd) and budgets is not None and not _free(slot):
                        usage = event.response.usage
                        cost = slot.config.cost(usage.input_tokens, usage.output_tokens)
                        await budgets.charge(request.user_id, usage.total, cost)
                    sent = True
                    yield event
                return
            except ProviderError as exc:
                if sent:
                    raise StreamInterrupted(
                        slot.name,
                        f"the answer broke off after it had begun ({exc.message}); it is not "
                        "continued by another model",
                    ) from exc
                _failed(slot, exc, pinned, attempts)
            finally:
                await events.aclose()
        raise self._exhausted(request, plan, attempts)

    async def _budgeted(self, request: ChatRequest, plan: Plan) -> Plan:
        """Check the budgets. Spent, only the built-in assistant may still answer: it costs
        nothing, so a user over budget is served offline rather than refused."""
        budgets = self._budgets
        if budgets is None:
            return plan
        try:
            await budgets.check(request.user_id, *plan.estimate())
        except BudgetExceeded:
            free = tuple(slot for slot in plan.candidates if _free(slot))
            if not free or request.provider is not None:
                raise
            return replace(plan, candidates=free)
        return plan

    def rate(self, provider_name: str, thumbs_up: bool) -> bool:
        """Fold a user's thumbs up or down into that provider's quality estimate.
        False if no provider of that name is configured (it may have been removed)."""
        slot = self._by_name.get(provider_name)
        if slot is None:
            return False
        slot.stats.rate(thumbs_up)
        self._epoch.value += 1
        return True

    def describe(self) -> list[ProviderStatus]:
        return [status_of(slot) for slot in self._slots]

    async def aclose(self) -> None:
        await asyncio.gather(*(slot.provider.aclose() for slot in self._slots))
        if self._budgets is not None:
            await self._budgets.aclose()

    def _exhausted(
        self, request: ChatRequest, plan: Plan, attempts: list[str]
    ) -> NoProviderAvailable:
        reasons = attempts + plan.skipped_reasons(request.max_tokens)
        return NoProviderAvailable("no provider could answer: " + "; ".join(reasons), reasons)


def _free(slot: Slot) -> bool:
    """The built-in assistant: no network, no price, never counted against a budget."""
    return slot.config.kind == "local"


def _skip(slot: Slot, pinned: bool, attempts: list[str]) -> None:
    """The breaker said no: a pinned provider's caller hears why, others move on."""
    if pinned:
        raise slot.open_error()
    attempts.append(slot.open_error().message)


def _failed(slot: Slot, exc: ProviderError, pinned: bool, attempts: list[str]) -> None:
    """Fail over (note why), or raise: a pinned provider's or a non-retryable error."""
    if pinned or not exc.retryable:
        raise exc
    attempts.append(slot.reason(exc))
