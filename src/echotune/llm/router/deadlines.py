"""Timeouts for many concurrent calls from one timer.

asyncio.timeout() creates, schedules and cancels a timer handle per call: several
microseconds, and heap churn in the event loop, on every model call. Here a call registers
its task and deadline under a token (a dict insert); one timer handle, armed for the
earliest deadline, cancels the calls that overran when it fires and re-arms for the next.
Since a provider's calls share one timeout, a new call's deadline is almost never the
earliest, so the timer is rarely touched.

A call that sees CancelledError asks `stop(token)` whether its own deadline did it (and not
also someone else, such as a caller going away): then it is a timeout, otherwise the
cancellation goes on, exactly as with asyncio.timeout().
"""

from __future__ import annotations

import asyncio
import math

_Entry = tuple["asyncio.Task[object]", float, int]  # task, deadline, its cancel count then


class Deadlines:
    __slots__ = ("_armed_at", "_calls", "_expired", "_handle", "_loop", "_next")

    def __init__(self) -> None:
        self._calls: dict[int, _Entry] = {}
        self._expired: dict[int, _Entry] = {}
        self._next = 0
        self._handle: asyncio.TimerHandle | None = None
        self._armed_at = math.inf
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self, seconds: float) -> int:
        """Cancel the current task if `stop` is not called within `seconds`."""
        loop = asyncio.get_running_loop()
        task = asyncio.current_task(loop)
        if task is None:
            raise RuntimeError("deadlines need a running task")
        deadline = loop.time() + seconds
        self._next = token = self._next + 1
        self._calls[token] = (task, deadline, task.cancelling())
        if deadline < self._armed_at or loop is not self._loop:
            self._arm(loop, deadline)
        return token

    def stop(self, token: int) -> bool:
        """Forget the call. True if its deadline passed and cancelled it, and nothing else did."""
        if self._calls.pop(token, None) is not None:
            return False
        entry = self._expired.pop(token, None)
        if entry is None:
            return False
        task, _, cancelling = entry
        return task.uncancel() <= cancelling

    def _arm(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._loop = loop
        self._armed_at = when
        self._handle = loop.call_at(when, self._fire)

    def _fire(self) -> None:
        self._handle = None
        self._armed_at = math.inf
        loop = self._loop
        if loop is None:
            return
        now = loop.time() + 1e-3  # the loop may run a timer up to its clock resolution early
        earliest = math.inf
        for token, entry in list(self._calls.items()):
            if entry[1] <= now:
                del self._calls[token]
                self._expired[token] = entry
                entry[0].cancel()
            elif entry[1] < earliest:
                earliest = entry[1]
        if earliest < math.inf:
            self._arm(loop, earliest)
