"""Rolling-window budgets, in process and shared across processes through a real Redis."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap

import pytest
from redis.asyncio import Redis

from echotune.spotify import InProcessWindow, RedisWindow
from tests.spotify.doubles import FakeTime


async def test_in_process_window_grants_the_budget_then_says_how_long_to_wait() -> None:
    time = FakeTime()
    window = InProcessWindow(3, 30.0, clock=time.clock)
    assert [await window.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    time.now += 10
    assert await window.acquire() == pytest.approx(20.0)  # the first grant leaves at t+30
    time.now += 20
    assert await window.acquire() == 0.0  # it rolled out of the window


async def test_settled_grants_count_from_when_the_answer_came() -> None:
    # A request granted at t=0 whose answer took 8 s may have reached Spotify at t=7:
    # it must count until t=38, not t=30.
    time = FakeTime()
    window = InProcessWindow(2, 30.0, clock=time.clock)
    assert await window.acquire() == 0.0
    time.now += 8
    await window.settle()
    assert await window.acquire() == 0.0
    await window.settle()
    time.now += 25  # t=33: the first grant, sent at t=0, would have left a plain window
    assert await window.acquire() == pytest.approx(5.0)
    time.now += 5
    assert await window.acquire() == 0.0


async def test_redis_settle_restamps_our_grant(redis_db_url: str) -> None:
    window = RedisWindow.from_url(redis_db_url, 1, 0.3, key="test:settle")
    try:
        assert await window.acquire() == 0.0
        await asyncio.sleep(0.2)
        await window.settle()  # counted from now: 0.3 s more
        await asyncio.sleep(0.15)
        assert await window.acquire() > 0.05  # a send-time stamp would have left by now
        await asyncio.sleep(0.2)
        assert await window.acquire() == 0.0
    finally:
        await window.aclose()


async def test_in_process_block_pauses_everything_and_only_lengthens() -> None:
    time = FakeTime()
    window = InProcessWindow(100, 30.0, clock=time.clock)
    await window.block(5)
    await window.block(1)
    assert await window.acquire() == pytest.approx(5.0)
    time.now += 5
    assert await window.acquire() == 0.0


async def test_redis_window_is_one_budget_for_every_client(redis_db_url: str) -> None:
    first = RedisWindow.from_url(redis_db_url, budget=5, seconds=30.0, key="w")
    second = RedisWindow.from_url(redis_db_url, budget=5, seconds=30.0, key="w")
    try:
        granted = [await w.acquire() == 0.0 for w in (first, second) * 4]
        assert granted.count(True) == 5
        wait = await second.acquire()
        assert 29.0 < wait <= 30.0
    finally:
        await first.aclose()
        await second.aclose()


async def test_redis_window_rolls_and_blocks(redis_db_url: str) -> None:
    window = RedisWindow.from_url(redis_db_url, budget=2, seconds=0.3, key="roll")
    try:
        assert [await window.acquire() for _ in range(2)] == [0.0, 0.0]
        wait = await window.acquire()
        assert 0 < wait <= 0.3
        await asyncio.sleep(wait + 0.02)
        assert await window.acquire() == 0.0

        await window.block(0.2)
        await window.block(0.05)  # a shorter block does not cut the longer one
        assert 0.1 < await window.acquire() <= 0.2
        redis = Redis.from_url(redis_db_url)
        assert await redis.zcard("roll") <= 2  # a sorted set of grants, pruned as it rolls
        await redis.aclose()
    finally:
        await window.aclose()


def test_redis_window_is_shared_by_separate_processes(redis_db_url: str) -> None:
    script = textwrap.dedent(
        f"""
        import asyncio
        from echotune.spotify.window import RedisWindow

        async def main():
            window = RedisWindow.from_url({redis_db_url!r}, budget=30, seconds=60.0, key="mp")
            granted = 0
            for _ in range(25):
                granted += (await window.acquire()) == 0.0
            await window.aclose()
            print(granted)

        asyncio.run(main())
        """
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    counts = [int(p.communicate(timeout=30)[0]) for p in procs]
    assert sum(counts) == 30  # 50 asks over two processes, exactly the shared budget granted
