"""Library calls: paging, the recently-played cursor, saves in both API modes, priority."""

from __future__ import annotations

from echotune.spotify import Priority, SpotifyClient, SpotifyConfig, SpotifyRequest, SpotifyResponse
from tests.spotify.doubles import ScriptedTransport, StaticTokens, page_json, respond, track_json

EXTENDED = SpotifyConfig(client_id="c", api_base="https://api.test/v1")
DEVELOPMENT = SpotifyConfig(client_id="c", api_base="https://api.test/v1", api_mode="development")


def saved_library(total: int) -> ScriptedTransport:
    def handler(request: SpotifyRequest) -> SpotifyResponse:
        offset, limit = int(request.params["offset"]), int(request.params["limit"])
        items = [
            {"added_at": "2024-05-01T10:00:00Z", "track": track_json(f"t{i}")}
            for i in range(offset, min(offset + limit, total))
        ]
        return respond(200, page_json(items, offset, total, limit))

    return ScriptedTransport(handler)


async def test_saved_tracks_come_in_pages_of_50_until_the_end() -> None:
    inner = saved_library(120)
    client = SpotifyClient(EXTENDED, inner, StaticTokens())
    pages = [page async for page in client.saved_tracks()]
    assert [len(p) for p in pages] == [50, 50, 20]
    assert [s.track.id for p in pages for s in p] == [f"t{i}" for i in range(120)]
    assert [r.params["offset"] for r in inner.requests] == ["0", "50", "100"]


async def test_saved_tracks_resume_from_an_offset() -> None:
    inner = saved_library(120)
    client = SpotifyClient(EXTENDED, inner, StaticTokens())
    pages = [page async for page in client.saved_tracks(offset=100)]
    assert [s.track.id for p in pages for s in p] == [f"t{i}" for i in range(100, 120)]


async def test_an_empty_library_yields_no_pages() -> None:
    client = SpotifyClient(EXTENDED, saved_library(0), StaticTokens())
    assert [page async for page in client.saved_tracks()] == []


async def test_top_lists_carry_the_time_range() -> None:
    def handler(request: SpotifyRequest) -> SpotifyResponse:
        if request.url.endswith("/artists"):
            item: dict[str, object] = {"id": "a", "name": "A", "popularity": 70}
        else:
            item = track_json("t")
        return respond(200, page_json([item], 0, 1, 50))

    inner = ScriptedTransport(handler)
    client = SpotifyClient(EXTENDED, inner, StaticTokens())
    tracks = [p async for p in client.top_tracks("short_term")]
    artists = [p async for p in client.top_artists("long_term")]
    assert tracks[0][0].id == "t" and artists[0][0].popularity == 70
    assert [r.params["time_range"] for r in inner.requests] == ["short_term", "long_term"]
    assert inner.paths() == ["/v1/me/top/tracks", "/v1/me/top/artists"]


async def test_recently_played_returns_plays_and_the_next_cursor() -> None:
    body = {
        "href": "h",
        "limit": 50,
        "next": None,
        "total": 2,
        "cursors": {"after": "1714557600000", "before": "1714557000000"},
        "items": [
            {
                "track": track_json("a"),
                "played_at": "2024-05-01T10:00:00Z",
                "context": {"uri": "spotify:playlist:p", "type": "playlist"},
            },
            {"track": track_json("b"), "played_at": "2024-05-01T09:50:00.123Z", "context": None},
        ],
    }
    inner = ScriptedTransport(lambda r: respond(200, body))
    client = SpotifyClient(EXTENDED, inner, StaticTokens())
    plays, cursor = await client.recently_played(after_ms=1714550000000)
    assert [p.track.id for p in plays] == ["a", "b"]
    assert plays[0].context_uri == "spotify:playlist:p" and plays[1].context_uri is None
    assert cursor == 1714557600000
    assert inner.requests[0].params == {"limit": "50", "after": "1714550000000"}


async def test_recently_played_keeps_the_cursor_when_nothing_is_new() -> None:
    empty = {"href": "h", "limit": 50, "next": None, "cursors": None, "items": []}
    client = SpotifyClient(
        EXTENDED, ScriptedTransport(lambda r: respond(200, empty)), StaticTokens()
    )
    assert await client.recently_played(after_ms=42) == ([], 42)
    assert await client.recently_played(None) == ([], None)


async def test_saves_use_me_tracks_ids_in_extended_mode() -> None:
    inner = ScriptedTransport(lambda r: respond(200))
    await SpotifyClient(EXTENDED, inner, StaticTokens()).save_tracks([f"t{i}" for i in range(60)])
    assert inner.paths() == ["/v1/me/tracks"] * 2
    assert [r.method for r in inner.requests] == ["PUT", "PUT"]
    first = inner.requests[0].json
    assert isinstance(first, dict) and len(first["ids"]) == 50 and first["ids"][0] == "t0"


async def test_saves_use_me_library_with_uris_in_development_mode() -> None:
    inner = ScriptedTransport(lambda r: respond(200))
    await SpotifyClient(DEVELOPMENT, inner, StaticTokens()).save_tracks(
        [f"t{i}" for i in range(45)]
    )
    assert inner.paths() == ["/v1/me/library"] * 2
    uris = [r.params["uris"].split(",") for r in inner.requests]
    assert [len(u) for u in uris] == [40, 5]  # the spec's maximum per call is 40
    assert uris[0][0] == "spotify:track:t0" and inner.requests[0].json is None


async def test_with_priority_queues_the_same_account_at_low() -> None:
    inner = ScriptedTransport(lambda r: respond(200, {"id": "me", "product": "premium"}))
    tokens = StaticTokens(key="acct-7")
    client = SpotifyClient(EXTENDED, inner, tokens)
    background = client.with_priority(Priority.LOW)
    assert isinstance(background, SpotifyClient)
    user = await background.me()
    await client.me()
    assert user.id == "me" and user.product == "premium"
    assert [r.priority for r in inner.requests] == [Priority.LOW, Priority.HIGH]
    assert {r.token_key for r in inner.requests} == {"acct-7"}
