"""/v1/me and the user's library: saved tracks, /me/library, top items, recently played."""

from __future__ import annotations

from datetime import datetime

from tests.fakes.spotify.ids import epoch_ms, from_ms, is_spotify_id, iso, iso_ms
from tests.fakes.spotify.render import Json
from tests.fakes.spotify.routing import ApiError, Call, Reply, Router
from tests.fakes.spotify.state import TIME_RANGES, Play

router = Router()
DEV_REMOVED = "This endpoint is not available in development mode; use /me/library"


@router.route("GET", "/me")
async def me(call: Call) -> Reply:
    return Reply(call.render.me(call.user))


def _page(call: Call, default: int = 20, maximum: int = 50) -> tuple[int, int]:
    return (call.int_param("limit", default, 1, maximum), call.int_param("offset", 0, 0, 100_000))


@router.route("GET", "/me/tracks", scope="user-library-read")
async def saved_tracks(call: Call) -> Reply:
    limit, offset = _page(call)
    saved = call.lib.saved
    catalog, render = call.state.catalog, call.render
    items: list[Json] = [
        {"added_at": iso(s.added_at), "track": render.track(catalog.by_id[s.track_id])}
        for s in saved[offset : offset + limit]
    ]
    return Reply(render.paging("/me/tracks", items, len(saved), offset, limit))


def _track_ids(values: list[str]) -> list[str]:
    for value in values:
        if not is_spotify_id(value):
            raise ApiError(400, f"Invalid base62 id: {value}")
    return values


async def _ids_from_body(call: Call) -> tuple[list[str], list[tuple[str, datetime]]]:
    """(ids, timestamped ids) from the query (deprecated) or the JSON body."""
    body = await call.body()
    stamped_raw = body.get("timestamped_ids")
    if isinstance(stamped_raw, list):
        stamped = [
            (str(s["id"]), datetime.fromisoformat(str(s["added_at"])))
            for s in stamped_raw
            if isinstance(s, dict)
        ]
        _track_ids([i for i, _ in stamped])
        return [], stamped
    ids = call.csv("ids", 50, required=False)
    body_ids = body.get("ids")
    if not ids and isinstance(body_ids, list):
        ids = [str(i) for i in body_ids]
    if not ids:
        raise ApiError(400, "Missing required field: ids")
    if len(ids) > 50:
        raise ApiError(400, "Too many ids requested")
    return _track_ids(ids), []


@router.route("PUT", "/me/tracks", scope="user-library-modify")
async def save_tracks(call: Call) -> Reply:
    if call.dev:
        raise ApiError(403, DEV_REMOVED)
    ids, stamped = await _ids_from_body(call)
    known = call.state.catalog.by_id
    for track_id, when in stamped:
        if track_id in known:
            call.state.save_tracks(call.user.id, [track_id], when)
    call.state.save_tracks(call.user.id, [i for i in ids if i in known])
    return Reply()


@router.route("DELETE", "/me/tracks", scope="user-library-modify")
async def remove_tracks(call: Call) -> Reply:
    if call.dev:
        raise ApiError(403, DEV_REMOVED)
    ids, stamped = await _ids_from_body(call)
    call.state.remove_tracks(call.user.id, ids + [i for i, _ in stamped])
    return Reply()


def _library_uris(call: Call) -> list[str]:
    uris = call.csv("uris", 40)
    for uri in uris:
        parts = uri.split(":")
        if (
            len(parts) != 3
            or parts[0] != "spotify"
            or not is_spotify_id(parts[2])
            and (parts[1] != "user")
        ):
            raise ApiError(400, f"Invalid URI: {uri}")
    return uris


@router.route("PUT", "/me/library", scope="user-library-modify")
async def save_library(call: Call) -> Reply:
    uris = _library_uris(call)
    tracks = [u.rsplit(":", 1)[1] for u in uris if u.startswith("spotify:track:")]
    call.state.save_tracks(call.user.id, [t for t in tracks if t in call.state.catalog.by_id])
    call.lib.saved_uris.update(u for u in uris if not u.startswith("spotify:track:"))
    return Reply()


@router.route("DELETE", "/me/library", scope="user-library-modify")
async def remove_library(call: Call) -> Reply:
    uris = _library_uris(call)
    call.state.remove_tracks(call.user.id, [u.rsplit(":", 1)[1] for u in uris])
    call.lib.saved_uris.difference_update(uris)
    return Reply()


@router.route("GET", "/me/top/{type}", scope="user-top-read")
async def top(call: Call) -> Reply:
    kind = call.path("type")
    time_range = call.param("time_range") or "medium_term"
    if kind not in ("artists", "tracks"):
        raise ApiError(400, f"Invalid type: {kind}")
    if time_range not in TIME_RANGES:
        raise ApiError(400, f"Invalid time_range: {time_range}")
    limit, offset = _page(call)
    catalog, render = call.state.catalog, call.render
    if kind == "tracks":
        ids = call.lib.top_tracks.get(time_range, [])
        items = [render.track(catalog.by_id[i]) for i in ids[offset : offset + limit]]
    else:
        ids = call.lib.top_artists.get(time_range, [])
        items = [render.artist(catalog.artists[i]) for i in ids[offset : offset + limit]]
    return Reply(
        render.paging(f"/me/top/{kind}", items, len(ids), offset, limit, {"time_range": time_range})
    )


@router.route("GET", "/me/player/recently-played", scope="user-read-recently-played")
async def recently_played(call: Call) -> Reply:
    """Newest first. `before` pages back in time; `after` returns the plays just after it."""
    limit = call.int_param("limit", 20, 1, 50)
    after, before = call.param("after"), call.param("before")
    if after is not None and before is not None:
        raise ApiError(400, "Only one of after or before may be specified")
    plays = call.lib.plays
    api = call.render.api
    if after is not None:
        since = from_ms(call.int_param("after", 0, 0, 2**62))
        newer = [p for p in plays if p.played_at > since]
        page, more = newer[:limit], len(newer) > limit
        cursor = "after"
    else:
        until = from_ms(call.int_param("before", 0, 0, 2**62)) if before is not None else None
        older = [p for p in plays if until is None or p.played_at < until]
        page, more = older[-limit:], len(older) > limit
        cursor = "before"
    page = list(reversed(page))
    cursors = _cursors(page)
    next_url = None
    if more and cursors is not None:
        next_url = f"{api}/me/player/recently-played?{cursor}={cursors[cursor]}&limit={limit}"
    body: Json = {
        "href": f"{api}/me/player/recently-played?limit={limit}",
        "limit": limit,
        "next": next_url,
        "cursors": cursors,
        "items": [_play(call, p) for p in page],
    }
    return Reply(body)


def _cursors(page: list[Play]) -> dict[str, str] | None:
    if not page:
        return None
    return {"after": str(epoch_ms(page[0].played_at)), "before": str(epoch_ms(page[-1].played_at))}


def _play(call: Call, play: Play) -> Json:
    body: Json = {
        "track": call.render.track(call.state.catalog.by_id[play.track_id]),
        "played_at": iso_ms(play.played_at),
        "context": None,
    }
    if play.context_uri is not None:
        _, kind, object_id = play.context_uri.split(":", 2)
        body["context"] = {
            "type": kind,
            "uri": play.context_uri,
            "href": f"{call.render.api}/{kind}s/{object_id}",
            "external_urls": {"spotify": f"https://open.spotify.com/{kind}/{object_id}"},
        }
    return body
