"""Catalog reads: tracks, artists, audio features, recommendations and track search."""

from __future__ import annotations

from tests.fakes.spotify.faults import error_body
from tests.fakes.spotify.ids import is_spotify_id
from tests.fakes.spotify.render import Json
from tests.fakes.spotify.routing import ApiError, Call, Reply, Router

router = Router()
SEARCH_TYPES = {
    "album": "albums",
    "artist": "artists",
    "playlist": "playlists",
    "track": "tracks",
    "show": "shows",
    "episode": "episodes",
    "audiobook": "audiobooks",
}


def _ids(call: Call, maximum: int) -> list[str]:
    ids = call.csv("ids", maximum)
    for value in ids:
        if not is_spotify_id(value):
            raise ApiError(400, "invalid id")
    return ids


def _one_id(call: Call) -> str:
    value = call.path("id")
    if not is_spotify_id(value):
        raise ApiError(400, "invalid id")
    return value


@router.route("GET", "/tracks")
async def several_tracks(call: Call) -> Reply:
    catalog, render = call.state.catalog, call.render
    tracks = [catalog.track(i) for i in _ids(call, 50)]
    return Reply({"tracks": [None if t is None else render.track(t) for t in tracks]})


@router.route("GET", "/tracks/{id}")
async def one_track(call: Call) -> Reply:
    track = call.state.catalog.track(_one_id(call))
    if track is None:
        raise ApiError(404, "Resource not found")
    return Reply(call.render.track(track))


@router.route("GET", "/artists")
async def several_artists(call: Call) -> Reply:
    artists = call.state.catalog.artists
    found = [artists.get(i) for i in _ids(call, 50)]
    return Reply({"artists": [None if a is None else call.render.artist(a) for a in found]})


@router.route("GET", "/artists/{id}")
async def one_artist(call: Call) -> Reply:
    artist = call.state.catalog.artists.get(_one_id(call))
    if artist is None:
        raise ApiError(404, "Resource not found")
    return Reply(call.render.artist(artist))


@router.route("GET", "/audio-features")
async def audio_features(call: Call) -> Reply:
    if call.ctx.faults.audio_features_forbidden:
        return Reply(error_body(403, "Forbidden"), 403)
    catalog, render = call.state.catalog, call.render
    tracks = [catalog.track(i) for i in _ids(call, 100)]
    return Reply(
        {"audio_features": [None if t is None else render.audio_features(t) for t in tracks]}
    )


@router.route("GET", "/recommendations")
async def recommendations(call: Call) -> Reply:
    if call.ctx.faults.recommendations_gone:
        return Reply(error_body(404, "Service not found"), 404)
    seeds = {
        kind: call.csv(f"seed_{kind}", 5, required=False)
        for kind in ("artists", "tracks", "genres")
    }
    total = sum(len(v) for v in seeds.values())
    if total == 0 or total > 5:
        raise ApiError(400, "Invalid seeds: give 1 to 5 seed_artists, seed_tracks or seed_genres")
    limit = call.int_param("limit", 20, 1, 100)
    catalog = call.state.catalog
    start = 0
    if seeds["tracks"] and (seed := catalog.track(seeds["tracks"][0])) is not None:
        start = catalog.tracks.index(seed) + 1
    picked = [catalog.tracks[(start + k) % len(catalog.tracks)] for k in range(limit)]
    seed_objects: list[Json] = [
        {
            "id": value,
            "type": kind[:-1].upper(),
            "initialPoolSize": 250,
            "afterFilteringSize": 250,
            "afterRelinkingSize": 250,
            "href": None if kind == "genres" else f"{call.render.api}/{kind}/{value}",
        }
        for kind, values in seeds.items()
        for value in values
    ]
    return Reply({"seeds": seed_objects, "tracks": [call.render.track(t) for t in picked]})


@router.route("GET", "/search")
async def search(call: Call) -> Reply:
    query = call.param("q")
    if not query:
        raise ApiError(400, "No search query")
    types = call.csv("type", 7)
    if any(t not in SEARCH_TYPES for t in types):
        raise ApiError(400, "Bad search type field")
    # Development mode (February 2026): limit at most 10, default 5.
    limit = call.int_param("limit", 5 if call.dev else 20, 0, 10 if call.dev else 50)
    offset = call.int_param("offset", 0, 0, 1000)
    render = call.render
    body: Json = {}
    for kind in types:
        key = SEARCH_TYPES[kind]
        if kind == "track":
            found = call.state.catalog.search(query)
            items: list[Json] = [render.track(t) for t in found[offset : offset + limit]]
            body[key] = render.paging(
                "/search", items, len(found), offset, limit, {"q": query, "type": kind}
            )
        else:  # only tracks are searchable here; other kinds come back empty
            body[key] = render.paging("/search", [], 0, offset, limit, {"q": query, "type": kind})
    return Reply(body)
