"""RetryingTransport: capped 429 waits, per-token holds, jittered backoff, typed failures."""

from __future__ import annotations

import pytest

from echotune.spotify import (
    RetryingTransport,
    SpotifyRateLimited,
    SpotifyServerError,
    SpotifyTimeout,
)
from tests.spotify.doubles import FakeTime, ScriptedTransport, request, respond

CAP = 30.0


def retrying(inner: ScriptedTransport, time: FakeTime, jitter: float = 1.0) -> RetryingTransport:
    return RetryingTransport(
        inner,
        max_retry_after=CAP,
        delays=(1.0, 2.0, 5.0, 10.0),
        sleep=time.sleep,
        clock=time.clock,
        jitter=lambda d: d * jitter,
    )


async def test_429_under_the_cap_sleeps_retry_after_then_succeeds() -> None:
    inner, time = ScriptedTransport(), FakeTime()
    inner.queue = [respond(429, headers={"retry-after": "3"}), respond(200, {"ok": 1})]
    response = await retrying(inner, time).send(request())
    assert response.status == 200
    assert time.sleeps == [3.0]
    assert len(inner.requests) == 2


async def test_429_above_the_cap_raises_at_once_and_holds_the_token_until_reset() -> None:
    inner, time = ScriptedTransport(), FakeTime()
    inner.queue = [respond(429, headers={"retry-after": "3600"})]
    transport = retrying(inner, time)

    with pytest.raises(SpotifyRateLimited) as caught:
        await transport.send(request(token_key="alice"))
    assert caught.value.retry_after == 3600
    assert time.sleeps == []  # never slept, not even up to the cap

    time.now += 100
    with pytest.raises(SpotifyRateLimited) as held:
        await transport.send(request(token_key="alice"))
    assert held.value.retry_after == pytest.approx(3500)
    assert len(inner.requests) == 1  # the held request never reached Spotify

    assert (await transport.send(request(token_key="bob"))).status == 200  # others go on
    time.now += 3500
    assert (await transport.send(request(token_key="alice"))).status == 200  # reset passed
    assert time.sleeps == []


async def test_no_sleep_ever_exceeds_the_cap() -> None:
    inner, time = ScriptedTransport(), FakeTime()
    inner.queue = [
        respond(429, headers={"retry-after": "30"}),
        respond(503),
        respond(429, headers={"retry-after": "31"}),
    ]
    transport = RetryingTransport(
        inner, max_retry_after=CAP, delays=(40.0, 50.0), sleep=time.sleep, clock=time.clock
    )
    with pytest.raises(SpotifyRateLimited):
        await transport.send(request())
    assert time.sleeps and max(time.sleeps) <= CAP


async def test_server_errors_back_off_1_2_5_10_with_jitter_then_raise_typed() -> None:
    inner, time = ScriptedTransport(), FakeTime()
    inner.queue = [respond(500), respond(502), respond(503), respond(504), respond(500)]
    with pytest.raises(SpotifyServerError) as caught:
        await retrying(inner, time, jitter=1.1).send(request())
    assert caught.value.status == 500
    assert time.sleeps == pytest.approx([1.1, 2.2, 5.5, 11.0])
    assert len(inner.requests) == 5


async def test_default_jitter_spreads_delays_within_20_percent() -> None:
    inner, time = ScriptedTransport(), FakeTime()
    inner.queue = [*[respond(503)] * 4, respond(200)]
    transport = RetryingTransport(inner, sleep=time.sleep, clock=time.clock)
    assert (await transport.send(request())).status == 200
    for slept, base in zip(time.sleeps, (1.0, 2.0, 5.0, 10.0), strict=True):
        assert 0.8 * base <= slept <= 1.2 * base


async def test_a_server_error_then_success_is_invisible_to_the_caller() -> None:
    inner, time = ScriptedTransport(), FakeTime()
    inner.queue = [respond(502), respond(200, {"id": "x"})]
    response = await retrying(inner, time).send(request())
    assert response.json() == {"id": "x"}
    assert time.sleeps == [1.0]


async def test_timeouts_are_retried_then_raised() -> None:
    inner, time = ScriptedTransport(), FakeTime()
    inner.queue = [SpotifyTimeout("GET /v1/me: ReadTimeout") for _ in range(5)]
    with pytest.raises(SpotifyTimeout):
        await retrying(inner, time).send(request())
    assert time.sleeps == [1.0, 2.0, 5.0, 10.0]


async def test_a_post_is_not_resent_after_an_ambiguous_failure() -> None:
    inner, time = ScriptedTransport(), FakeTime()
    inner.queue = [respond(502)]
    with pytest.raises(SpotifyServerError):
        await retrying(inner, time).send(request("/v1/playlists/p/items", "POST"))
    inner.queue = [SpotifyTimeout("POST: ReadTimeout", request_sent=True)]
    with pytest.raises(SpotifyTimeout):
        await retrying(inner, time).send(request("/v1/playlists/p/items", "POST"))
    assert len(inner.requests) == 2 and time.sleeps == []


async def test_a_post_is_resent_when_it_never_left_and_after_a_429() -> None:
    inner, time = ScriptedTransport(), FakeTime()
    inner.queue = [
        SpotifyTimeout("POST: ConnectError", request_sent=False),
        respond(429, headers={"retry-after": "1"}),
        respond(201, {"snapshot_id": "s"}),
    ]
    response = await retrying(inner, time).send(request("/v1/playlists/p/items", "POST"))
    assert response.status == 201
    assert time.sleeps == [1.0, 1.0]


async def test_a_run_of_short_429s_ends_with_rate_limited_and_a_short_hold() -> None:
    inner, time = ScriptedTransport(), FakeTime()
    inner.queue = [respond(429, headers={"retry-after": "2"})] * 10
    transport = retrying(inner, time)
    with pytest.raises(SpotifyRateLimited) as caught:
        await transport.send(request())
    assert caught.value.retry_after == 2
    assert time.sleeps == [2.0] * 4
    inner.queue.clear()
    with pytest.raises(SpotifyRateLimited):
        await transport.send(request())
    time.now += 2
    assert (await transport.send(request())).status == 200


async def test_429_without_retry_after_falls_back_to_the_backoff_schedule() -> None:
    inner, time = ScriptedTransport(), FakeTime()
    inner.queue = [respond(429), respond(200)]
    assert (await retrying(inner, time).send(request())).status == 200
    assert time.sleeps == [1.0]


async def test_a_hold_set_while_another_request_backs_off_stops_it_too() -> None:
    inner, time = ScriptedTransport(), FakeTime()
    transport = retrying(inner, time)

    async def sleep_then_hold(seconds: float) -> None:
        time.sleeps.append(seconds)
        inner.queue = [respond(429, headers={"retry-after": "600"})]
        with pytest.raises(SpotifyRateLimited):
            await transport.send(request("/v1/me/tracks"))  # same account, long 429

    transport._sleep = sleep_then_hold
    inner.queue = [respond(503)]
    with pytest.raises(SpotifyRateLimited):
        await transport.send(request("/v1/me"))
    assert inner.paths() == ["/v1/me", "/v1/me/tracks"]  # /v1/me was not tried again
