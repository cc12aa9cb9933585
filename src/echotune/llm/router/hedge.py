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
    queue = iter(slots)
    running: dict[asyncio.Task[ChatResponse], Slot] = {}

    def launch() -> bool:
        for slot in queue:
            permit = slot.breaker.allow()
            if not permit:
                attempts.append(slot.open_error().message)
                continue
            running[asyncio.ensure_future(slot.complete(request, permit))] = slot
            return True
        return False

    more = launch()
    try:
        while running:
            hedge = more and len(running) < _MAX_IN_FLIGHT
            done, _ = await asyncio.wait(
                running,
                timeout=hedge_after if hedge else None,
                return_when=asyncio.FIRST_COMPLETED,
            )
            if not done:
                more = launch()
                continue
            for task in done:
                slot = running.pop(task)
                exc = task.exception()
                if exc is None:
                    return slot, task.result()
                if not isinstance(exc, ProviderError) or not exc.retryable:
                    raise exc
                attempts.append(slot.reason(exc))
            if not running:
                more = launch()
        return None
    finally:
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
