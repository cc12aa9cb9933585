"""CachingTransport: fresh hits, ETag revalidation, per-token keys, bounded LRU."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from echotune.spotify import CachingTransport, SpotifyMetrics
from tests.spotify.doubles import FakeTime, ScriptedTransport, request, respond


def cache(
    inner: ScriptedTransport, time: FakeTime, entries: int = 10, **kwargs: object
) -> CachingTransport:
    return CachingTransport(inner, max_entries=entries, clock=time.clock, **kwargs)  # type: ignore[arg-type]


async def test_a_fresh_entry_is_served_without_a_call() -> None:
    inner, time = ScriptedTransport(), FakeTime()
    inner.queue = [respond(200, {"n": 1}, {"cache-control": "public, max-age=60"})]
    transport = cache(inner, time)
    first = await transport.send(request("/v1/tracks/a"))
    second = await transport.send(request("/v1/tracks/a"))
    assert first.json() == second.json() == {"n": 1}
    assert len(inner.requests) == 1
    time.now += 61
    await transport.send(request("/v1/tracks/a"))
    assert len(inner.requests) == 2


async def test_a_stale_entry_is_revalidated_by_etag_and_a_304_serves_the_stored_body() -> None:
    inner, time = ScriptedTransport(), FakeTime()
    registry = CollectorRegistry()
    metrics = SpotifyMetrics(registry)
    inner.queue = [
        respond(200, {"n": 1}, {"etag": '"v1"', "cache-control": "private, max-age=0"}),
        respond(304, headers={"etag": '"v1"'}),
        respond(200, {"n": 2}, {"etag": '"v2"'}),
    ]
    transport = cache(inner, time, metrics=metrics)
    assert (await transport.send(request("/v1/me/tracks"))).json() == {"n": 1}
    revalidated = await transport.send(request("/v1/me/tracks"))
    assert revalidated.status == 200 and revalidated.json() == {"n": 1}
    assert inner.requests[1].headers["If-None-Match"] == '"v1"'
    assert "Authorization" in inner.requests[1].headers  # the original headers are kept
    assert (await transport.send(request("/v1/me/tracks"))).json() == {"n": 2}
    assert inner.requests[2].headers["If-None-Match"] == '"v1"'
    hits = registry.get_sample_value("echotune_spotify_cache_hits_total", {"kind": "revalidated"})
    assert hits == 1.0


async def test_entries_are_per_token_key_and_per_query() -> None:
    inner, time = ScriptedTransport(), FakeTime()
    inner.handler = lambda r: respond(200, {"k": r.token_key}, {"cache-control": "max-age=60"})
    transport = cache(inner, time)
    alice = await transport.send(request("/v1/me", token_key="alice"))
    bob = await transport.send(request("/v1/me", token_key="bob"))
    assert alice.json() == {"k": "alice"} and bob.json() == {"k": "bob"}
    await transport.send(request("/v1/me", token_key="alice", params={"offset": "50"}))
    assert len(inner.requests) == 3


async def test_the_cache_is_bounded_least_recently_used_first() -> None:
    inner, time = ScriptedTransport(), FakeTime()
    inner.handler = lambda r: respond(200, {"u": r.url}, {"cache-control": "max-age=60"})
    transport = cache(inner, time, entries=3)
    for name in "abc":
        await transport.send(request(f"/v1/tracks/{name}"))
    await transport.send(request("/v1/tracks/a"))  # a is now the most recent
    await transport.send(request("/v1/tracks/d"))  # evicts b
    assert len(transport) == 3
    calls = len(inner.requests)
    await transport.send(request("/v1/tracks/a"))
    await transport.send(request("/v1/tracks/b"))
    assert len(inner.requests) == calls + 1


async def test_the_byte_bound_evicts_too() -> None:
    inner, time = ScriptedTransport(), FakeTime()
    inner.handler = lambda r: respond(200, {"pad": "x" * 100}, {"cache-control": "max-age=60"})
    transport = cache(inner, time, entries=100, max_bytes=250)
    for name in "abcd":
        await transport.send(request(f"/v1/tracks/{name}"))
    assert len(transport) == 2


async def test_no_store_errors_and_writes_are_never_cached() -> None:
    inner, time = ScriptedTransport(), FakeTime()
    transport = cache(inner, time)
    inner.queue = [respond(200, {}, {"cache-control": "no-store", "etag": '"x"'})]
    await transport.send(request("/v1/me"))
    inner.queue = [respond(500, {}, {"cache-control": "max-age=60"})]
    await transport.send(request("/v1/me/player"))
    inner.queue = [respond(201, {}, {"cache-control": "max-age=60"})]
    await transport.send(request("/v1/playlists/p/items", "POST"))
    assert len(transport) == 0
    await transport.send(request("/v1/me"))
    assert "If-None-Match" not in inner.requests[-1].headers
