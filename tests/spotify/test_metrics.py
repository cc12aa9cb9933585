"""Endpoint templates and the Prometheus counters, through the whole production stack."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from echotune.spotify import (
    InProcessWindow,
    SpotifyConfig,
    SpotifyRateLimited,
    build_transport,
    endpoint_template,
)
from tests.spotify.doubles import FakeTime, ScriptedTransport, request, respond


@pytest.mark.parametrize(
    ("url", "template"),
    [
        ("https://api.spotify.com/v1/me", "/me"),
        ("https://api.spotify.com/v1/tracks/4iV5W9uYEdYUVa79Axb7Rh", "/tracks/{id}"),
        ("http://127.0.0.1:5/v1/playlists/37i9dQZF1DXcBWIGoYBM5M/items", "/playlists/{id}/items"),
        ("https://api.spotify.com/v1/playlists/x/tracks", "/playlists/{id}/tracks"),
        ("https://api.spotify.com/v1/users/smedjan/playlists", "/users/{id}/playlists"),
        ("https://api.spotify.com/v1/users/tracks/playlists", "/users/{id}/playlists"),
        ("https://api.spotify.com/v1/me/tracks/contains", "/me/tracks/contains"),
        ("https://api.spotify.com/v1/me/top/tracks", "/me/top/tracks"),
        ("https://api.spotify.com/v1/me/player/recently-played", "/me/player/recently-played"),
        (
            "https://api.spotify.com/v1/browse/categories/dinner/playlists",
            "/browse/categories/{id}/playlists",
        ),
        ("https://accounts.spotify.com/api/token", "/api/token"),
        ("https://api.spotify.com/v1/something-new/abc", "/{id}/{id}"),
    ],
)
def test_endpoint_templates_replace_ids(url: str, template: str) -> None:
    assert endpoint_template(url) == template


async def test_the_stack_counts_calls_429s_waits_and_cache_hits() -> None:
    registry, time = CollectorRegistry(), FakeTime()
    inner = ScriptedTransport()
    inner.queue = [
        respond(429, headers={"retry-after": "2"}),
        respond(200, {"id": "t"}, {"cache-control": "max-age=60"}),
        respond(503),
        respond(200, {}),
    ]
    config = SpotifyConfig(client_id="c", retry_delays=(1.0,))
    transport = build_transport(
        config,
        registry,
        inner=inner,
        window=InProcessWindow(100, 30.0, clock=time.clock),
        sleep=time.sleep,
    )
    await transport.send(request("/v1/tracks/AAAAAAAAAAAAAAAAAAAAAA"))
    await transport.send(request("/v1/tracks/AAAAAAAAAAAAAAAAAAAAAA"))  # fresh hit
    await transport.send(request("/v1/me/player/devices"))

    def sample(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    calls = "echotune_spotify_calls_total"
    assert sample(calls, endpoint="/tracks/{id}", method="GET", status="429") == 1
    assert sample(calls, endpoint="/tracks/{id}", method="GET", status="200") == 1
    assert sample(calls, endpoint="/me/player/devices", method="GET", status="503") == 1
    assert sample(calls, endpoint="/me/player/devices", method="GET", status="200") == 1
    assert sample("echotune_spotify_rate_limited_total", endpoint="/tracks/{id}") == 1
    assert sample("echotune_spotify_wait_seconds_total", reason="retry_after") == 2
    backoff = sample("echotune_spotify_wait_seconds_total", reason="backoff")
    assert backoff is not None and 0.8 <= backoff <= 1.2
    assert sample("echotune_spotify_cache_hits_total", kind="fresh") == 1


async def test_two_apps_keep_separate_registries_and_a_held_token_makes_no_call() -> None:
    time = FakeTime()
    first, second = CollectorRegistry(), CollectorRegistry()
    inner = ScriptedTransport()
    inner.queue = [respond(429, headers={"retry-after": "900"})]
    config = SpotifyConfig(client_id="c")
    transport = build_transport(config, first, inner=inner, sleep=time.sleep)
    build_transport(config, second, inner=ScriptedTransport(), sleep=time.sleep)
    for _ in range(3):
        with pytest.raises(SpotifyRateLimited):
            await transport.send(request("/v1/me"))
    assert len(inner.requests) == 1 and time.sleeps == []
    assert first.get_sample_value("echotune_spotify_rate_limited_total", {"endpoint": "/me"}) == 1
    assert (
        second.get_sample_value("echotune_spotify_rate_limited_total", {"endpoint": "/me"}) is None
    )
