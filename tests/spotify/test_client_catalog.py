"""Catalog calls: batching at Spotify's limits, closed endpoints as None, search caps."""

from __future__ import annotations

import pytest

from echotune.spotify import (
    SpotifyClient,
    SpotifyConfig,
    SpotifyForbidden,
    SpotifyRequest,
    SpotifyResponse,
)
from tests.spotify.doubles import (
    ScriptedTransport,
    StaticTokens,
    features_json,
    respond,
    spotify_error,
    track_json,
)

EXTENDED = SpotifyConfig(client_id="c", api_base="https://api.test/v1")
DEVELOPMENT = SpotifyConfig(client_id="c", api_base="https://api.test/v1", api_mode="development")


def client(config: SpotifyConfig, inner: ScriptedTransport) -> SpotifyClient:
    return SpotifyClient(config, inner, StaticTokens())


def batch(request: SpotifyRequest) -> SpotifyResponse:
    ids = request.params["ids"].split(",")
    if request.url.endswith("/tracks"):
        return respond(200, {"tracks": [track_json(i) if i != "gone" else None for i in ids]})
    if request.url.endswith("/artists"):
        return respond(200, {"artists": [{"id": i, "name": i, "genres": ["pop"]} for i in ids]})
    return respond(
        200, {"audio_features": [features_json(i) if i[-1] != "9" else None for i in ids]}
    )


async def test_tracks_are_fetched_50_at_a_time_in_order() -> None:
    inner = ScriptedTransport(batch)
    ids = [f"t{i}" for i in range(120)] + ["gone"]
    tracks = await client(EXTENDED, inner).tracks(ids)
    assert [t.id for t in tracks] == ids[:-1]  # unknown ids are left out
    assert [len(r.params["ids"].split(",")) for r in inner.requests] == [50, 50, 21]
    assert all(
        r.headers["Authorization"] == "Bearer " + StaticTokens().token for r in inner.requests
    )


async def test_artists_are_fetched_50_at_a_time() -> None:
    inner = ScriptedTransport(batch)
    artists = await client(EXTENDED, inner).artists([f"a{i}" for i in range(51)])
    assert len(artists) == 51 and artists[0].genres == ["pop"]
    assert [len(r.params["ids"].split(",")) for r in inner.requests] == [50, 1]


async def test_audio_features_are_fetched_100_at_a_time_with_gaps_kept() -> None:
    inner = ScriptedTransport(batch)
    ids = [f"t{i}" for i in range(250)]
    features = await client(EXTENDED, inner).audio_features(ids)
    assert features is not None and len(features) == 250
    assert features[9] is None and features[10] is not None and features[10].id == "t10"
    assert [len(r.params["ids"].split(",")) for r in inner.requests] == [100, 100, 50]


async def test_audio_features_403_means_unavailable_not_an_error() -> None:
    inner = ScriptedTransport(lambda r: spotify_error(403, "Forbidden"))
    assert await client(EXTENDED, inner).audio_features(["a", "b"]) is None


async def test_a_403_elsewhere_is_still_forbidden() -> None:
    inner = ScriptedTransport(lambda r: spotify_error(403, "Forbidden"))
    with pytest.raises(SpotifyForbidden):
        await client(EXTENDED, inner).tracks(["a"])


async def test_recommendations_404_means_unavailable() -> None:
    inner = ScriptedTransport(lambda r: spotify_error(404, "Service not found"))
    assert await client(EXTENDED, inner).recommendations(seed_tracks=["a"], limit=5) is None


async def test_recommendations_pass_their_parameters() -> None:
    inner = ScriptedTransport(lambda r: respond(200, {"tracks": [track_json("r1")], "seeds": []}))
    found = await client(EXTENDED, inner).recommendations(
        seed_tracks=["a", "b"], target_energy=0.8, limit=5
    )
    assert found is not None and [t.id for t in found] == ["r1"]
    assert inner.requests[0].params == {"seed_tracks": "a,b", "target_energy": "0.8", "limit": "5"}


@pytest.mark.parametrize(("config", "sent"), [(EXTENDED, "25"), (DEVELOPMENT, "10")])
async def test_search_limit_is_capped_at_10_in_development_mode(
    config: SpotifyConfig, sent: str
) -> None:
    inner = ScriptedTransport(lambda r: respond(200, {"tracks": {"items": [track_json("s")]}}))
    found = await client(config, inner).search_tracks("artist:abba", limit=25)
    assert [t.id for t in found] == ["s"]
    assert inner.requests[0].params == {"q": "artist:abba", "type": "track", "limit": sent}


async def test_development_mode_looks_tracks_up_one_by_one() -> None:
    def single(request: SpotifyRequest) -> SpotifyResponse:
        track_id = request.url.rsplit("/", 1)[1]
        if track_id == "gone":
            return spotify_error(404, "Non existing id")
        return respond(200, track_json(track_id))

    inner = ScriptedTransport(single)
    tracks = await client(DEVELOPMENT, inner).tracks(["x", "gone", "y"])
    assert [t.id for t in tracks] == ["x", "y"]
    assert sorted(inner.paths()) == ["/v1/tracks/gone", "/v1/tracks/x", "/v1/tracks/y"]
