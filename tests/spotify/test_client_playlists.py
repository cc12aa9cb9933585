"""Playlists: /tracks vs /items by API mode, 100-item writes with positions, new items shape."""

from __future__ import annotations

import pytest

from echotune.spotify import SpotifyClient, SpotifyConfig, SpotifyRequest, SpotifyResponse
from tests.spotify.doubles import ScriptedTransport, StaticTokens, page_json, respond, track_json

EXTENDED = SpotifyConfig(client_id="c", api_base="https://api.test/v1")
DEVELOPMENT = SpotifyConfig(client_id="c", api_base="https://api.test/v1", api_mode="development")


@pytest.mark.parametrize(
    ("config", "path"),
    [(EXTENDED, "/v1/playlists/p1/tracks"), (DEVELOPMENT, "/v1/playlists/p1/items")],
)
async def test_playlist_items_path_follows_the_api_mode(config: SpotifyConfig, path: str) -> None:
    items: list[object] = [
        {"added_at": "2024-01-01T00:00:00Z", "item": track_json("new-shape")},
        {"added_at": "2024-01-01T00:00:00Z", "track": track_json("old-shape")},
        {"added_at": "2024-01-01T00:00:00Z", "item": {"id": "e", "type": "episode", "name": "E"}},
        {
            "added_at": None,
            "is_local": True,
            "track": track_json("x", id=None, uri="spotify:local:a:b:c:1", is_local=True),
        },
    ]
    inner = ScriptedTransport(lambda r: respond(200, page_json(items, 0, 4, 50)))
    pages = [p async for p in SpotifyClient(config, inner, StaticTokens()).playlist_items("p1")]
    assert inner.paths() == [path]
    tracks = [i.track.id if i.track else None for i in pages[0]]
    assert tracks == ["new-shape", "old-shape", None, None]


async def test_my_playlists_read_both_the_items_and_the_tracks_total() -> None:
    playlists = [
        {
            "id": "p1",
            "name": "One",
            "uri": "spotify:playlist:p1",
            "snapshot_id": "s1",
            "owner": {"id": "me", "type": "user"},
            "items": {"href": "h", "total": 12},
        },
        {
            "id": "p2",
            "name": "Two",
            "uri": "spotify:playlist:p2",
            "snapshot_id": "s2",
            "owner": {"id": "you"},
            "tracks": {"href": "h", "total": 3},
        },
    ]
    inner = ScriptedTransport(lambda r: respond(200, page_json(playlists, 0, 2, 50)))
    pages = [p async for p in SpotifyClient(EXTENDED, inner, StaticTokens()).my_playlists()]
    assert [(p.id, p.owner_id, p.total) for p in pages[0]] == [("p1", "me", 12), ("p2", "you", 3)]


@pytest.mark.parametrize(
    ("config", "path"),
    [(EXTENDED, "/v1/users/some%20user/playlists"), (DEVELOPMENT, "/v1/me/playlists")],
)
async def test_create_playlist(config: SpotifyConfig, path: str) -> None:
    created = {
        "id": "new",
        "name": "Mix",
        "uri": "spotify:playlist:new",
        "snapshot_id": "s0",
        "owner": {"id": "some user"},
        "items": {"total": 0},
    }
    inner = ScriptedTransport(lambda r: respond(201, created))
    client = SpotifyClient(config, inner, StaticTokens())
    playlist = await client.create_playlist("some user", "Mix", "made by EchoTune", public=False)
    assert playlist.id == "new" and playlist.snapshot_id == "s0"
    assert inner.requests[0].url.endswith(path) and inner.requests[0].method == "POST"
    assert inner.requests[0].json == {
        "name": "Mix",
        "description": "made by EchoTune",
        "public": False,
    }


async def test_add_items_writes_100_at_a_time_keeping_order_and_positions() -> None:
    def handler(request: SpotifyRequest) -> SpotifyResponse:
        return respond(201, {"snapshot_id": f"snap{len(inner.requests)}"})

    inner = ScriptedTransport(handler)
    client = SpotifyClient(DEVELOPMENT, inner, StaticTokens())
    uris = [f"spotify:track:t{i}" for i in range(250)]
    snapshot = await client.add_items("p1", uris, position=3)
    assert snapshot == "snap3"
    bodies = [r.json for r in inner.requests]
    assert [len(b["uris"]) for b in bodies] == [100, 100, 50]  # type: ignore[index]
    assert [b["position"] for b in bodies] == [3, 103, 203]  # type: ignore[index]
    assert [u for b in bodies for u in b["uris"]] == uris  # type: ignore[index]
    assert inner.paths() == ["/v1/playlists/p1/items"] * 3


async def test_add_items_without_position_appends() -> None:
    inner = ScriptedTransport(lambda r: respond(201, {"snapshot_id": "s"}))
    await SpotifyClient(EXTENDED, inner, StaticTokens()).add_items("p1", ["spotify:track:a"])
    assert inner.requests[0].json == {"uris": ["spotify:track:a"]}
    assert inner.paths() == ["/v1/playlists/p1/tracks"]
