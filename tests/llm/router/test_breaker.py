from __future__ import annotations

import pytest

from echotune.llm.router.breaker import BreakerConfig, BreakerState, CircuitBreaker, Permit
from tests.llm.doubles import FakeClock


def breaker(clock: FakeClock, **overrides: float) -> CircuitBreaker:
    config = BreakerConfig(
        **{
            "failures": 3,
            "window": 10,
            "min_calls": 6,
            "ratio": 0.5,
            "cooldown": 10.0,
            "backoff": 2.0,
            "max_cooldown": 60.0,
            "probes_to_close": 2,
            **overrides,
        }  # type: ignore[arg-type]
    )
    return CircuitBreaker(config, clock)


def fail(b: CircuitBreaker, n: int = 1, retry_after: float | None = None) -> None:
    for _ in range(n):
        b.failure(b.allow(), retry_after)


def test_opens_on_consecutive_failures() -> None:
    clock = FakeClock()
    b = breaker(clock)
    fail(b, 2)
    b.success(b.allow())  # a success resets the run
    fail(b, 2)
    assert b.state is BreakerState.CLOSED
    fail(b)
    assert b.state is BreakerState.OPEN
    assert b.allow() is Permit.DENIED
    assert b.retry_in() == pytest.approx(10.0)


def test_opens_on_failure_ratio_once_enough_calls() -> None:
    clock = FakeClock()
    b = breaker(clock, failures=100)
    for _ in range(2):  # fail, ok, fail, ok: 50% but only 4 calls
        fail(b)
        b.success(b.allow())
    assert b.state is BreakerState.CLOSED
    b.success(b.allow())
    fail(b)  # 3 of 6 failed
    assert b.state is BreakerState.OPEN


def test_half_open_lets_one_probe_through_and_closes_after_probes() -> None:
    clock = FakeClock()
    b = breaker(clock)
    fail(b, 3)
    clock.advance(10.0)
    assert b.state is BreakerState.HALF_OPEN
    probe = b.allow()
    assert probe is Permit.PROBE
    assert b.allow() is Permit.DENIED  # one probe at a time
    b.success(probe)
    assert b.state is BreakerState.HALF_OPEN  # needs two successful probes
    b.success(b.allow())
    assert b.state is BreakerState.CLOSED
    assert b.allow() is Permit.CALL


def test_failed_probe_reopens_with_longer_cooldown_capped() -> None:
    clock = FakeClock()
    b = breaker(clock)
    fail(b, 3)
    waits = []
    for _ in range(4):
        clock.advance(b.retry_in())
        fail(b)  # the probe fails
        waits.append(b.retry_in())
    assert waits == [20.0, 40.0, 60.0, 60.0]
    clock.advance(60.0)
    b.success(b.allow())
    b.success(b.allow())
    fail(b, 3)
    assert b.retry_in() == 10.0  # closing reset the cooldown


def test_retry_after_opens_and_extends_the_open_time() -> None:
    clock = FakeClock()
    b = breaker(clock)
    fail(b, retry_after=30.0)  # a 429 with Retry-After opens at once
    assert b.state is BreakerState.OPEN
    assert b.retry_in() == pytest.approx(30.0)
    clock.advance(29.0)
    assert b.allow() is Permit.DENIED
    clock.advance(1.0)
    assert b.allow() is Permit.PROBE


def test_retry_after_longer_than_the_cooldown_wins_and_is_capped() -> None:
    clock = FakeClock()
    b = breaker(clock)
    fail(b, 3)
    b.failure(Permit.CALL, retry_after=45.0)  # a late 429 from a call let through earlier
    assert b.retry_in() == pytest.approx(45.0)
    b.failure(Permit.CALL, retry_after=3600.0)
    assert b.retry_in() == pytest.approx(60.0)


def test_released_probe_frees_the_slot_and_stale_results_are_ignored() -> None:
    clock = FakeClock()
    b = breaker(clock)
    early = b.allow()
    fail(b, 3)
    b.success(early)  # finished after the verdict: ignored
    assert b.state is BreakerState.OPEN
    clock.advance(10.0)
    probe = b.allow()
    b.release(probe)  # cancelled: no verdict
    assert b.allow() is Permit.PROBE
