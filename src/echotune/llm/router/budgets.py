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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from echotune.llm.errors import BudgetExceeded
from echotune.settings import LLMSettings

_DAY = 86_400
GLOBAL = "global"


class Ledger(Protocol):
    async def spent(self, day: str, scopes: Sequence[str]) -> list[tuple[int, float]]:
        """(tokens, USD) spent on `day` for each scope, in order; (0, 0.0) when none."""
        ...

    async def charge(
        self, day: str, scopes: Sequence[str], tokens: int, cost: float, keep_for: float
    ) -> None:
        """Add to every scope's spending of `day`, kept at least `keep_for` seconds more."""
        ...

    async def aclose(self) -> None: ...


class MemoryLedger:
    def __init__(self) -> None:
        self._day = ""
        self._spent: dict[str, list[float]] = {}

    async def spent(self, day: str, scopes: Sequence[str]) -> list[tuple[int, float]]:
        if day != self._day:
            return [(0, 0.0)] * len(scopes)
        out: list[tuple[int, float]] = []
        for scope in scopes:
            entry = self._spent.get(scope)
            out.append((int(entry[0]), entry[1]) if entry else (0, 0.0))
        return out

    async def charge(
        self, day: str, scopes: Sequence[str], tokens: int, cost: float, keep_for: float
    ) -> None:
        if day != self._day:  # a new day: yesterday's spending is of no further use
            self._day = day
            self._spent = {}
        for scope in scopes:
            entry = self._spent.setdefault(scope, [0.0, 0.0])
            entry[0] += tokens
            entry[1] += cost

    async def aclose(self) -> None:
        return None


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
        self._now = now
        self._has_user = limits.user_tokens is not None or limits.user_cost is not None
        self._has_global = limits.global_tokens is not None or limits.global_cost is not None
        self._day_no = -1
        self._day = ""

    async def check(self, user_id: str | None, tokens: int, cost: float) -> None:
        """Raise BudgetExceeded if `tokens` / `cost` more would overrun a budget today."""
        scopes = self._scopes(user_id)
        if not scopes:
            return
        now = self._now()
        spent = await self._ledger.spent(self._today(now), scopes)
        for scope, (used_tokens, used_cost) in zip(scopes, spent, strict=True):
            is_user = scope != GLOBAL
            who = user_id if is_user else None
            limit_t = self.limits.user_tokens if is_user else self.limits.global_tokens
            limit_c = self.limits.user_cost if is_user else self.limits.global_cost
            if limit_t is not None and used_tokens + tokens > limit_t:
                raise _exceeded(who, "token", f"{used_tokens} of {limit_t} tokens", now)
            if limit_c is not None and used_cost + cost > limit_c:
                usage = f"${used_cost:.4f} of ${limit_c:.2f}"
                raise _exceeded(who, "cost", usage, now)

    async def charge(self, user_id: str | None, tokens: int, cost: float) -> None:
        scopes = self._scopes(user_id)
        if scopes and (tokens or cost):
            now = self._now()
            day = self._today(now)
            # Kept through tomorrow: a day's spending is read until the day has ended.
            keep_for = (self._day_no + 2) * _DAY - now
            await self._ledger.charge(day, scopes, tokens, cost, keep_for)

    async def aclose(self) -> None:
        await self._ledger.aclose()

    def _scopes(self, user_id: str | None) -> tuple[str, ...]:
        if self._has_user and user_id is not None:
            user = "user:" + user_id
            return (user, GLOBAL) if self._has_global else (user,)
        return (GLOBAL,) if self._has_global else ()

    def _today(self, now: float) -> str:
        day_no = int(now // _DAY)
        if day_no != self._day_no:
            self._day_no = day_no
            self._day = datetime.fromtimestamp(day_no * _DAY, UTC).strftime("%Y-%m-%d")
        return self._day


def _exceeded(user_id: str | None, unit: str, usage: str, now: float) -> BudgetExceeded:
    retry_after = _DAY - now % _DAY
    hours, rest = divmod(int(retry_after), 3600)
    scope = "user" if user_id is not None else "global"
    whose = f"user {user_id}'s" if user_id is not None else "the global"
    return BudgetExceeded(
        f"{whose} daily {unit} budget is used up ({usage} spent today, this request would "
        f"exceed it); it resets at 00:00 UTC, in {hours}h{rest // 60:02d}m",
        scope=scope,
        retry_after=retry_after,
    )
