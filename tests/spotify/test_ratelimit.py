"""RateLimitedTransport: the window budget handed out HIGH before LOW."""

from __future__ import annotations

import asyncio

from echotune.spotify import (
    InProcessWindow,
    Priority,
    RateLimitedTransport,
    SpotifyRequest,
)
from tests.spotify.doubles import ScriptedTransport, request, respond


def tagged(tag: str, priority: Priority) -> SpotifyRequest:
    return request(f"/v1/tracks/{tag}", priority=priority)


class ManualWindow:
    """Grants only the slots a test hands out, so ordering never depends on timing."""

    def __init__(self, slots: int = 0) -> None:
        self.slots = slots
        self.asked = 0
        self.settled = 0

    async def acquire(self) -> float:
        self.asked += 1
        if self.slots > 0:
            self.slots -= 1
            return 0.0
        return 0.005

    async def settle(self) -> None:
        self.settled += 1

    async def block(self, seconds: float) -> None:
        return None

    async def aclose(self) -> None:
        return None


async def test_high_priority_overtakes_queued_low_priority() -> None:
    inner, window = ScriptedTransport(), ManualWindow(slots=1)
    limiter = RateLimitedTransport(inner, window)
    lows = [asyncio.create_task(limiter.send(tagged(f"low{i}", Priority.LOW))) for i in range(4)]
    while window.asked < 3:  # low0 took the only slot; low1 is polling the window
        await asyncio.sleep(0.001)
    high = asyncio.create_task(limiter.send(tagged("high", Priority.HIGH)))
    await asyncio.sleep(0.01)
    assert inner.paths()[-1].endswith("/low0") and len(inner.requests) == 1
    window.slots = 10
    await asyncio.gather(high, *lows)
    order = [p.rsplit("/", 1)[1] for p in inner.paths()]
    assert order == ["low0", "high", "low1", "low2", "low3"]


async def test_high_priority_overtakes_with_the_real_window() -> None:
    inner = ScriptedTransport()
    limiter = RateLimitedTransport(inner, InProcessWindow(1, 0.1))
    lows = [asyncio.create_task(limiter.send(tagged(f"low{i}", Priority.LOW))) for i in range(3)]
    await asyncio.sleep(0.02)
    high = asyncio.create_task(limiter.send(tagged("high", Priority.HIGH)))
    await asyncio.gather(high, *lows)
    assert [p.rsplit("/", 1)[1] for p in inner.paths()] == ["low0", "high", "low1", "low2"]


async def test_equal_priorities_go_first_come_first_served_within_the_budget() -> None:
    inner = ScriptedTransport()
    limiter = RateLimitedTransport(inner, InProcessWindow(3, 0.1))
    loop = asyncio.get_running_loop()
    start = loop.time()
    tasks = [asyncio.create_task(limiter.send(tagged(f"t{i}", Priority.LOW))) for i in range(6)]
    await asyncio.gather(*tasks)
    assert [p.rsplit("/", 1)[1] for p in inner.paths()] == [f"t{i}" for i in range(6)]
    assert loop.time() - start >= 0.09  # the second three waited for the window to roll


async def test_a_cancelled_waiter_leaves_the_queue() -> None:
    inner = ScriptedTransport()
    limiter = RateLimitedTransport(inner, InProcessWindow(1, 0.05))
    await limiter.send(tagged("first", Priority.LOW))
    stuck = asyncio.create_task(limiter.send(tagged("cancelled", Priority.HIGH)))
    await asyncio.sleep(0.005)
    stuck.cancel()
    await asyncio.gather(stuck, return_exceptions=True)
    await limiter.send(tagged("after", Priority.LOW))
    assert inner.paths()[-1].endswith("/after")
    assert "cancelled" not in "".join(inner.paths())


async def test_a_short_429_pauses_the_whole_budget() -> None:
    inner = ScriptedTransport()
    inner.queue = [respond(429, headers={"retry-after": "0.1"})]
    window = InProcessWindow(100, 30.0)
    limiter = RateLimitedTransport(inner, window, max_block=30.0)
    assert (await limiter.send(tagged("a", Priority.HIGH))).status == 429
    assert 0.05 < await window.acquire() <= 0.1


async def test_a_429_beyond_the_cap_does_not_stall_other_users() -> None:
    inner = ScriptedTransport()
    inner.queue = [respond(429, headers={"retry-after": "3600"})]
    window = InProcessWindow(100, 30.0)
    limiter = RateLimitedTransport(inner, window, max_block=30.0)
    await limiter.send(tagged("a", Priority.HIGH))
    assert await window.acquire() == 0.0
