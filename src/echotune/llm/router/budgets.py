"""Daily budgets, per user and global, in tokens and in USD.

Before a call the router checks that what was spent today plus the request's estimate fits
every budget that applies; after it, the actual usage is charged. A day is a UTC day, so
every budget resets at 00:00 UTC, and `BudgetExceeded.retry_after` counts down to then.
Checks and charges are not one atomic step: concurrent requests may overshoot a budget by
at most their own estimates, which is cheaper than a lock around every model call.

The spending lives in a `Ledger`: in this process (`MemoryLedger`) or shared by every
process through Redis (`RedisLedger` in redis_ledger.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from echotune.llm.errors import BudgetExceeded
from echotune.settings import LLMSettings

_DAY = 86_400


@dataclass(slots=True)
class Spend:
    tokens: int = 0
    cost: float = 0.0


_NOTHING = Spend()  # shared, read-only


class Ledger(Protocol):
    async def spent(self, day: str, user_id: str | None) -> tuple[Spend, Spend]:
        """What `user_id` (nothing when None) and everyone together spent on `day`.
        The caller only reads the results."""
        ...

    async def charge(
        self, day: str, user_id: str | None, tokens: int, cost: float, keep_for: float
    ) -> None:
        """Add to the user's (when given) and the global spending of `day`, kept at least
        `keep_for` seconds more."""
        ...

    async def aclose(self) -> None: ...


class MemoryLedger:
    """In this process. Budgets call its `*_now` methods directly: no coroutine per call."""

    def __init__(self) -> None:
        self._day = ""
        self._global = Spend()
        self._users: dict[str, Spend] = {}

    async def spent(self, day: str, user_id: str | None) -> tuple[Spend, Spend]:
        return self.spent_now(day, user_id)

    async def charge(
        self, day: str, user_id: str | None, tokens: int, cost: float, keep_for: float
    ) -> None:
        self.charge_now(day, user_id, tokens, cost)

    async def aclose(self) -> None:
        return None

    def spent_now(self, day: str, user_id: str | None) -> tuple[Spend, Spend]:
        if day != self._day:
            return _NOTHING, _NOTHING
        user = _NOTHING if user_id is None else self._users.get(user_id, _NOTHING)
        return user, self._global

    def charge_now(self, day: str, user_id: str | None, tokens: int, cost: float) -> None:
        if day != self._day:  # a new day: yesterday's spending is of no further use
            self._day = day
            self._global = Spend()
            self._users = {}
        self._global.tokens += tokens
        self._global.cost += cost
        if user_id is not None:
            user = self._users.get(user_id)
            if user is None:
                user = self._users[user_id] = Spend()
            user.tokens += tokens
            user.cost += cost


@dataclass(frozen=True)
class BudgetLimits:
    """Daily limits; None means no limit."""

    user_tokens: int | None = None
    user_cost: float | None = None
    global_tokens: int | None = None
    global_cost: float | None = None

    @classmethod
    def from_settings(cls, settings: LLMSettings) -> BudgetLimits:
        """0 in the settings means no limit."""
        return cls(
            user_tokens=settings.user_daily_tokens or None,
            user_cost=settings.user_daily_cost or None,
            global_tokens=settings.global_daily_tokens or None,
            global_cost=settings.global_daily_cost or None,
        )


class Budgets:
    def __init__(
        self,
        limits: BudgetLimits,
        ledger: Ledger | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.limits = limits
        self._ledger: Ledger = ledger if ledger is not None else MemoryLedger()
        self._memory = self._ledger if isinstance(self._ledger, MemoryLedger) else None
        self._now = now
        self._has_user = limits.user_tokens is not None or limits.user_cost is not None
        self._has_global = limits.global_tokens is not None or limits.global_cost is not None
        self._day_no = -1
        self._day = ""

    async def check(self, user_id: str | None, tokens: int, cost: float) -> None:
        """Raise BudgetExceeded if `tokens` / `cost` more would overrun a budget today."""
        user_id = user_id if self._has_user else None
        if user_id is None and not self._has_global:
            return
        now = self._now()
        day = self._today(now)
        if self._memory is not None:
            user, everyone = self._memory.spent_now(day, user_id)
        else:
            user, everyone = await self._ledger.spent(day, user_id)
        lim = self.limits
        if user_id is not None:
            _fits(user_id, "token", user.tokens, tokens, lim.user_tokens, now)
            _fits(user_id, "cost", user.cost, cost, lim.user_cost, now)
        if self._has_global:
            _fits(None, "token", everyone.tokens, tokens, lim.global_tokens, now)
            _fits(None, "cost", everyone.cost, cost, lim.global_cost, now)

    async def charge(self, user_id: str | None, tokens: int, cost: float) -> None:
        if not (self._has_user or self._has_global) or not (tokens or cost):
            return
        now = self._now()
        day = self._today(now)
        user_id = user_id if self._has_user else None
        if self._memory is not None:
            self._memory.charge_now(day, user_id, tokens, cost)
        else:
            # Kept through tomorrow: a day's spending is read until the day has ended.
            keep_for = (self._day_no + 2) * _DAY - now
            await self._ledger.charge(day, user_id, tokens, cost, keep_for)

    async def aclose(self) -> None:
        await self._ledger.aclose()

    def _today(self, now: float) -> str:
        day_no = int(now // _DAY)
        if day_no != self._day_no:
            self._day_no = day_no
            self._day = datetime.fromtimestamp(day_no * _DAY, UTC).strftime("%Y-%m-%d")
        return self._day


def _fits(
    user_id: str | None, unit: str, used: float, more: float, limit: float | None, now: float
) -> None:
    if limit is None or used + more <= limit:
        return
    usage = f"{int(used)} of {limit} tokens" if unit == "token" else f"${used:.4f} of ${limit:.2f}"
    retry_after = _DAY - now % _DAY
    hours, rest = divmod(int(retry_after), 3600)
    whose = f"user {user_id}'s" if user_id is not None else "the global"
    raise BudgetExceeded(
        f"{whose} daily {unit} budget is used up ({usage} spent today, this request would "
        f"exceed it); it resets at 00:00 UTC, in {hours}h{rest // 60:02d}m",
        scope="user" if user_id is not None else "global",
        retry_after=retry_after,
    )
