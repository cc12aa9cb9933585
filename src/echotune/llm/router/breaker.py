"""A circuit breaker per provider: stop calling a provider that keeps failing, probe it later.

    closed ──(N consecutive failures, or failure ratio over the last W calls with at
    │         least M calls, or a 429 with Retry-After)──> open
    open ──(cooldown, or the Retry-After, whichever is longer, has passed)──> half_open
    half_open: one probe at a time;
        probe fails   -> open again, cooldown x backoff (capped)
        K probes succeed -> closed, cooldown back to its base

A 429 carrying Retry-After opens at once, even when closed: the provider said when to come
back, and every call before then would be refused anyway. Results of calls let through
while closed but finishing after the breaker opened are ignored (they predate the verdict);
only the probe's outcome moves a half-open breaker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, IntEnum


class BreakerState(str, Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


# Prometheus gauge values: 0 closed, 1 half-open, 2 open.
STATE_VALUE = {BreakerState.CLOSED: 0, BreakerState.HALF_OPEN: 1, BreakerState.OPEN: 2}


class Permit(IntEnum):
    """What `allow()` granted; DENIED is falsy. Hand it back with the call's outcome."""

    DENIED = 0
    CALL = 1
    PROBE = 2


@dataclass(frozen=True)
class BreakerConfig:
    failures: int = 5  # consecutive failures that open
    ratio: float = 0.5  # failure share over the window that opens...
    window: int = 20  # ...counted over this many latest calls...
    min_calls: int = 10  # ...once at least this many were made
    cooldown: float = 10.0  # first open period, seconds
    backoff: float = 2.0  # each failed probe multiplies the cooldown by this
    max_cooldown: float = 300.0  # ...up to this; also caps a Retry-After
    probes_to_close: int = 2  # successful probes in a row that close


class CircuitBreaker:
    __slots__ = (
        "_cfg",
        "_clock",
        "_consecutive",
        "_cooldown",
        "_open_until",
        "_probe_successes",
        "_probing",
        "_state",
        "_w_count",
        "_w_failures",
        "_w_next",
        "_window",
    )

    def __init__(
        self, config: BreakerConfig | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._cfg = config or BreakerConfig()
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._open_until = 0.0
        self._cooldown = self._cfg.cooldown
        self._consecutive = 0
        self._window = [False] * max(1, self._cfg.window)  # True = a failure
        self._w_next = 0
        self._w_count = 0
        self._w_failures = 0
        self._probing = False
        self._probe_successes = 0

    @property
    def state(self) -> BreakerState:
        """The state as a caller would find it now: open with its time up reads half_open."""
        if self._state is BreakerState.OPEN and self._clock() >= self._open_until:
            return BreakerState.HALF_OPEN
        return self._state

    def retry_in(self) -> float:
        """Seconds until a call may be let through again (0 when one may be now)."""
        if self._state is BreakerState.OPEN:
            return max(0.0, self._open_until - self._clock())
        return 0.0

    def allow(self) -> Permit:
        state = self._state
        if state is BreakerState.CLOSED:
            return Permit.CALL
        if state is BreakerState.OPEN:
            if self._clock() < self._open_until:
                return Permit.DENIED
            self._state = BreakerState.HALF_OPEN
            self._probe_successes = 0
        if self._probing:
            return Permit.DENIED
        self._probing = True
        return Permit.PROBE

    def success(self, permit: Permit) -> None:
        if permit is Permit.PROBE:
            self._probing = False
            if self._state is not BreakerState.HALF_OPEN:
                return
            self._probe_successes += 1
            if self._probe_successes >= self._cfg.probes_to_close:
                self._close()
        elif self._state is BreakerState.CLOSED:
            self._consecutive = 0
            # A full window without failures stays so: the usual case costs nothing more.
            if self._w_failures or self._w_count < len(self._window):
                self._record(False)

    def failure(self, permit: Permit, retry_after: float | None = None) -> None:
        if retry_after is not None and retry_after > 0:
            if permit is Permit.PROBE:
                self._probing = False
            self._open(min(retry_after, self._cfg.max_cooldown))
            return
        if permit is Permit.PROBE:
            self._probing = False
            if self._state is BreakerState.HALF_OPEN:
                self._cooldown = min(self._cooldown * self._cfg.backoff, self._cfg.max_cooldown)
                self._open(self._cooldown)
            return
        if self._state is not BreakerState.CLOSED:
            return
        self._consecutive += 1
        self._record(True)
        cfg = self._cfg
        if self._consecutive >= cfg.failures or (
            self._w_count >= cfg.min_calls and self._w_failures >= cfg.ratio * self._w_count
        ):
            self._open(self._cooldown)

    def release(self, permit: Permit) -> None:
        """The permitted call never produced an outcome (cancelled): free the probe slot."""
        if permit is Permit.PROBE:
            self._probing = False

    def _open(self, seconds: float) -> None:
        self._state = BreakerState.OPEN
        self._open_until = max(self._open_until, self._clock() + seconds)
        self._consecutive = 0
        self._w_count = self._w_failures = self._w_next = 0

    def _close(self) -> None:
        self._state = BreakerState.CLOSED
        self._cooldown = self._cfg.cooldown
        self._probe_successes = 0

    def _record(self, failed: bool) -> None:
        i = self._w_next
        size = len(self._window)
        if self._w_count == size:
            if self._window[i]:
                self._w_failures -= 1
        else:
            self._w_count += 1
        self._window[i] = failed
        if failed:
            self._w_failures += 1
        self._w_next = (i + 1) % size
