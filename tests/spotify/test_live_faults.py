"""Against the loopback fake: 429s short and long, 5xx, timeouts, dropped connections."""

from __future__ import annotations

import pytest

from echotune.spotify import (
    RefreshingTokens,
    SpotifyClient,
    SpotifyRateLimited,
    SpotifyServerError,
    SpotifyTimeout,
    TokenSet,
)
from tests.fakes.spotify.server import FakeSpotify
from tests.spotify.conftest import Live, connect


async def saved_ids(live: Live) -> list[str]:
    return [s.track.id async for page in live.client.saved_tracks() for s in page]


def expected_saved(fake: FakeSpotify) -> list[str]:
    return [s.track_id for s in fake.state.library().saved]


async def test_a_one_second_429_is_waited_out_and_nothing_is_lost(live: Live) -> None:
    live.fake.state.seed_library(n_saved=180)
    live.fake.faults.add("/v1/me/tracks", status=429, headers={"Retry-After": "1"}, times=2)
    assert await saved_ids(live) == expected_saved(live.fake)
    assert live.time.sleeps == [1.0, 1.0]
    assert live.metric("echotune_spotify_rate_limited_total", endpoint="/me/tracks") == 2
    assert live.metric("echotune_spotify_wait_seconds_total", reason="retry_after") == 2


async def test_a_3600_second_429_raises_at_once_and_holds_the_account(live: Live) -> None:
    live.fake.state.seed_library(n_saved=120)
    live.fake.faults.add("/v1/me/tracks", status=429, headers={"Retry-After": "3600"})
    with pytest.raises(SpotifyRateLimited) as caught:
        await saved_ids(live)
    assert caught.value.retry_after == 3600
    assert live.time.sleeps == []  # no sleep at all, let alone one beyond the cap
    with pytest.raises(SpotifyRateLimited):
        await live.client.me()  # held: refused without asking Spotify
    assert [e.path for e in live.fake.log.entries] == ["/v1/me/tracks"]

    # Another account on the same transport (its own token key) is not held.
    pair = live.fake.issue_tokens()
    issued = TokenSet(pair.access_token, pair.refresh_token, live.tokens.current.expires_at, "")
    other = RefreshingTokens(live.oauth, issued, key="someone-else")
    assert (await SpotifyClient(live.config, live.transport, other).me()).id == live.fake.user_id


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_mid_sync_are_retried_and_nothing_is_lost(
    live: Live, status: int
) -> None:
    live.fake.state.seed_library(n_saved=160)
    live.fake.faults.add("/v1/me/tracks", status=status, times=3)
    assert await saved_ids(live) == expected_saved(live.fake)
    assert len(live.time.sleeps) == 3
    for slept, base in zip(live.time.sleeps, (1.0, 2.0, 5.0), strict=True):
        assert 0.8 * base <= slept <= 1.2 * base


async def test_server_errors_beyond_the_schedule_raise_typed(live: Live) -> None:
    live.fake.faults.add("/v1/me", status=503, times=None)
    with pytest.raises(SpotifyServerError) as caught:
        await live.client.me()
    assert caught.value.status == 503
    assert live.fake.log.count("/v1/me") == 5


async def test_a_timeout_is_retried_on_a_new_connection(fake_spotify: FakeSpotify) -> None:
    live = await connect(fake_spotify, timeout=0.25)
    try:
        fake_spotify.faults.delay("/v1/me", 2.0, times=1)
        assert (await live.client.me()).id == fake_spotify.user_id
        assert len(live.time.sleeps) == 1
        assert (
            live.metric(
                "echotune_spotify_calls_total", endpoint="/me", method="GET", status="timeout"
            )
            == 1
        )
    finally:
        await live.transport.aclose()


async def test_endless_timeouts_raise_spotify_timeout(fake_spotify: FakeSpotify) -> None:
    live = await connect(fake_spotify, timeout=0.1, retry_delays=(0.1,))
    try:
        fake_spotify.faults.delay("/v1/me", 1.0, times=None)
        with pytest.raises(SpotifyTimeout):
            await live.client.me()
        assert fake_spotify.log.count("/v1/me") == 2
    finally:
        await live.transport.aclose()


async def test_a_dropped_playlist_write_is_never_resent(live: Live) -> None:
    playlist = await live.client.create_playlist(live.fake.user_id, "Mix", "d", public=False)
    uris = [f"spotify:track:{t.id}" for t in live.fake.state.catalog.tracks[:3]]
    path = f"/v1/playlists/{playlist.id}/tracks"
    live.fake.faults.disconnect(path, method="POST", after_processing=True)
    with pytest.raises(SpotifyTimeout):
        await live.client.add_items(playlist.id, uris)
    entries = live.fake.state.playlists[playlist.id].entries
    assert [e.uri for e in entries] == uris  # applied once by Spotify, never twice
    assert live.fake.log.count(path, method="POST") == 1


async def test_a_get_dropped_mid_answer_is_retried(live: Live) -> None:
    live.fake.faults.disconnect("/v1/me/player/devices")
    devices = await live.client.devices()
    assert {d.name for d in devices} == {"Fake Laptop", "Fake Phone"}
    assert live.fake.log.count("/v1/me/player/devices") == 2
