from __future__ import annotations

import asyncio

import pytest

from echotune.llm.router.deadlines import Deadlines
from echotune.llm.router.limit import ConcurrencyLimit


async def test_limit_hands_slots_over_in_arrival_order() -> None:
    limit = ConcurrencyLimit(1)
    assert limit.try_take() and not limit.try_take()
    order: list[int] = []

    async def waiter(i: int) -> None:
        await limit.take()
        order.append(i)

    tasks = [asyncio.create_task(waiter(i)) for i in range(3)]
    await asyncio.sleep(0)
    for _ in range(3):
        limit.release()
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    assert order == [0, 1, 2]
    limit.release()
    assert limit.free == 1 and limit.in_use == 0


async def test_a_cancelled_waiter_gives_up_its_place_or_its_slot() -> None:
    limit = ConcurrencyLimit(1)
    limit.try_take()
    first = asyncio.create_task(limit.take())
    second = asyncio.create_task(limit.take())
    await asyncio.sleep(0)
    first.cancel()  # still waiting: it just leaves the queue
    with pytest.raises(asyncio.CancelledError):
        await first
    limit.release()  # handed to `second`...
    second.cancel()  # ...which is cancelled before it runs: the slot goes back
    with pytest.raises(asyncio.CancelledError):
        await second
    assert limit.free == 1 and limit.try_take()


async def test_deadline_cancels_only_the_overrunning_call() -> None:
    deadlines = Deadlines()

    async def call(seconds: float, work: float) -> str:
        token = deadlines.start(seconds)
        try:
            await asyncio.sleep(work)
        except asyncio.CancelledError:
            if deadlines.stop(token):
                return "timeout"
            raise
        deadlines.stop(token)
        return "done"

    # A later, shorter deadline re-arms the timer earlier.
    results = await asyncio.gather(call(1.0, 0.01), call(0.01, 1.0), call(0.5, 0.02))
    assert results == ["done", "timeout", "done"]


async def test_an_outside_cancellation_is_not_a_timeout() -> None:
    deadlines = Deadlines()
    seen: list[bool] = []

    async def call() -> None:
        token = deadlines.start(10.0)
        try:
            await asyncio.sleep(1.0)
        except asyncio.CancelledError:
            seen.append(deadlines.stop(token))
            raise

    task = asyncio.create_task(call())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen == [False]
