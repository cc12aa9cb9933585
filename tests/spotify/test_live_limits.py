"""Against the loopback fake: priorities and a Redis-shared budget under Spotify's window."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry

from echotune.spotify import (
    Priority,
    RefreshingTokens,
    SpotifyClient,
    SpotifyOAuth,
    TokenSet,
    Transport,
    build_transport,
)
from tests.fakes.spotify.server import FakeSpotify
from tests.spotify.conftest import connect, fake_config


async def test_an_interactive_call_overtakes_a_running_background_sync(
    fake_spotify: FakeSpotify,
) -> None:
    fake_spotify.state.seed_library(n_saved=400)
    # The window runs on real time here: the budget itself must hold the sync back.
    live = await connect(fake_spotify, real_time=True, window_budget=2, window_seconds=0.1)
    background = SpotifyClient(live.config, live.transport, live.tokens, Priority.LOW)
    interactive = SpotifyClient(live.config, live.transport, live.tokens, Priority.HIGH)
    try:
        pages = [asyncio.create_task(_drain(background, offset)) for offset in (0, 200)]
        await asyncio.sleep(0.05)  # both syncs are queued on the window by now
        me = await interactive.me()
        counts = await asyncio.gather(*pages)
    finally:
        await live.transport.aclose()
    assert me.id == fake_spotify.user_id and sum(counts) == 400
    order = [e.path for e in fake_spotify.log.entries]
    # At most the two requests already granted went ahead of the interactive one.
    assert order.index("/v1/me") <= 2


async def _drain(client: SpotifyClient, offset: int) -> int:
    count = 0
    async for page in client.saved_tracks(offset=offset):
        count += len(page)
        if count >= 200:
            break
    return count


async def test_two_processes_sharing_redis_stay_under_spotifys_window(
    fake_spotify: FakeSpotify, redis_db_url: str
) -> None:
    """Two independent stacks (as two worker processes would be) share one Redis budget."""
    fake_spotify.faults.window(limit=6, seconds=0.3)
    # A little under Spotify's figure on a little longer window: the margin for the time a
    # request takes between our grant and Spotify counting it.
    config = fake_config(fake_spotify, window_budget=6, window_seconds=0.36, redis_url=redis_db_url)
    stacks = [build_transport(config, CollectorRegistry()) for _ in range(2)]
    pair = fake_spotify.issue_tokens()
    expires = datetime.now(UTC) + timedelta(hours=1)

    async def worker(stack: Transport, n: int) -> None:
        issued = TokenSet(pair.access_token, pair.refresh_token, expires, "")
        tokens = RefreshingTokens(SpotifyOAuth(config, stack), issued, key=f"user-{n}")
        client = SpotifyClient(config, stack, tokens)
        for _ in range(9):
            await client.devices()

    try:
        await asyncio.gather(*(worker(stack, n) for n, stack in enumerate(stacks)))
    finally:
        for stack in stacks:
            await stack.aclose()
    statuses = fake_spotify.log.statuses("/v1/me/player/devices")
    assert len(statuses) == 18 and 429 not in statuses  # 200s and 304s (ETag), not one 429
