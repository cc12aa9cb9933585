"""The loopback fake Spotify, and a client stack wired to it with a recorded, instant sleep."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry

from echotune.spotify import (
    InProcessWindow,
    RefreshingTokens,
    SpotifyClient,
    SpotifyConfig,
    SpotifyOAuth,
    TokenSet,
    Transport,
    build_transport,
)
from tests.fakes.spotify.fixtures import fake_spotify, fake_spotify_server  # noqa: F401
from tests.fakes.spotify.server import FakeSpotify
from tests.spotify.doubles import FakeTime


def fake_config(fake: FakeSpotify, **overrides: object) -> SpotifyConfig:
    settings: dict[str, object] = {
        "client_id": fake.client_id,
        "client_secret": fake.client_secret,
        "redirect_uri": fake.redirect_uri,
        "api_base": fake.api_base,
        "accounts_base": fake.accounts_base,
        "timeout": 2.0,
        **overrides,
    }
    return SpotifyConfig(**settings)  # type: ignore[arg-type]


@dataclass
class Live:
    """A client of the fake for its default user, and everything a test inspects."""

    fake: FakeSpotify
    config: SpotifyConfig
    time: FakeTime
    registry: CollectorRegistry
    transport: Transport
    oauth: SpotifyOAuth
    tokens: RefreshingTokens
    client: SpotifyClient

    def metric(self, name: str, **labels: str) -> float:
        return self.registry.get_sample_value(name, labels) or 0.0

    def use_tokens(self, access: str, refresh: str | None, key: str, ttl: float = 3600) -> None:
        """Switch the client to another account's tokens (as the app would after a login)."""
        issued = TokenSet(access, refresh, datetime.now(UTC) + timedelta(seconds=ttl), "")
        self.tokens = RefreshingTokens(self.oauth, issued, key=key)
        self.client = SpotifyClient(self.config, self.transport, self.tokens)


async def connect(fake: FakeSpotify, real_time: bool = False, **overrides: object) -> Live:
    """A client of `fake`; unless `real_time`, retries "sleep" on a FakeTime, instantly."""
    config = fake_config(fake, **overrides)
    time, registry = FakeTime(), CollectorRegistry()
    if real_time:
        transport = build_transport(config, registry)
    else:
        # The window runs on the fake clock too: a Retry-After "sleep" also unblocks it.
        window = InProcessWindow(config.window_budget, config.window_seconds, clock=time.clock)
        transport = build_transport(config, registry, window=window, sleep=time.sleep)
    oauth = SpotifyOAuth(config, transport)
    pair = fake.issue_tokens()
    issued = TokenSet(
        pair.access_token,
        pair.refresh_token,
        datetime.now(UTC) + timedelta(seconds=pair.expires_in),
        pair.scope,
    )
    tokens = RefreshingTokens(oauth, issued, key=fake.user_id)
    client = SpotifyClient(config, transport, tokens)
    return Live(fake, config, time, registry, transport, oauth, tokens, client)


@pytest.fixture
async def live(fake_spotify: FakeSpotify) -> AsyncIterator[Live]:  # noqa: F811
    harness = await connect(fake_spotify)
    try:
        yield harness
    finally:
        await harness.transport.aclose()
        assert fake_spotify.log.spec_errors == []
