"""Hedged requests for latency-critical calls: if the first candidate has not answered after
`hedge_after` seconds, the next one is started too; the first answer wins and the other call
is cancelled (a cancelled call records nothing against its provider).

At most two calls run at once. A candidate that fails is replaced by the next one at once,
so a hedged call fails over exactly like a plain one, only sooner.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from echotune.llm.errors import ProviderError
from echotune.llm.router.slot import Slot
from echotune.llm.types import ChatRequest, ChatResponse

_MAX_IN_FLIGHT = 2


async def hedged_complete(
    slots: Sequence[Slot], request: ChatRequest, hedge_after: float, attempts: list[str]
) -> tuple[Slot, ChatResponse] | None:
    """The first answer and who gave it, or None when every candidate failed (each one's
    reason appended to `attempts`). A non-retryable error is raised at once."""
    race = _Race(slots, request, attempts)
    try:
        more = race.launch()
        while race.running:
            hedge = more and len(race.running) < _MAX_IN_FLIGHT
            done, _ = await asyncio.wait(
                race.running,
                timeout=hedge_after if hedge else None,
                return_when=asyncio.FIRST_COMPLETED,
            )
            if not done:
                more = race.launch()
                continue
            won = race.settle(done)
            if won is not None:
                return won
            if not race.running:
                more = race.launch()
        return None
    finally:
        await race.cancel()


class _Race:
    def __init__(self, slots: Sequence[Slot], request: ChatRequest, attempts: list[str]) -> None:
        self._queue = iter(slots)
        self._request = request
        self._attempts = attempts
        self.running: dict[asyncio.Task[ChatResponse], Slot] = {}

    def launch(self) -> bool:
        """Start the next candidate whose breaker lets it; False when none is left."""
        for slot in self._queue:
            permit = slot.breaker.allow()
            if not permit:
                self._attempts.append(slot.open_error().message)
                continue
            task = asyncio.ensure_future(slot.complete(self._request, permit))
            self.running[task] = slot
            return True
        return False

    def settle(self, done: set[asyncio.Task[ChatResponse]]) -> tuple[Slot, ChatResponse] | None:
        for task in done:
            slot = self.running.pop(task)
            exc = task.exception()
            if exc is None:
                return slot, task.result()
            if not isinstance(exc, ProviderError) or not exc.retryable:
                raise exc
            self._attempts.append(slot.reason(exc))
        return None

    async def cancel(self) -> None:
        """Stop the calls still running: the loser of a won race, or all on an error."""
        for task in self.running:
            task.cancel()
        if self.running:
            await asyncio.gather(*self.running, return_exceptions=True)
