"""Playlists: list the user's, create one, read and add items (/items and the older /tracks).

`fields=` filters are ignored: the full objects always come back.
"""

from __future__ import annotations

from tests.fakes.spotify.ids import is_spotify_id
from tests.fakes.spotify.routing import ApiError, Call, Reply, Router
from tests.fakes.spotify.state import Playlist

router = Router()
ITEMS_PAGE_MAX = 100
ADD_MAX = 100


def _listing(call: Call, owner_id: str, path: str) -> Reply:
    limit = call.int_param("limit", 20, 1, 50)
    offset = call.int_param("offset", 0, 0, 100_000)
    ids = call.state.library(owner_id).playlist_ids
    if owner_id != call.user.id:
        ids = [i for i in ids if call.state.playlists[i].public]
    render = call.render
    items = [render.playlist(call.state.playlists[i]) for i in ids[offset : offset + limit]]
    return Reply(render.paging(path, items, len(ids), offset, limit))


@router.route("GET", "/me/playlists", scope="playlist-read-private")
async def my_playlists(call: Call) -> Reply:
    return _listing(call, call.user.id, "/me/playlists")


@router.route("GET", "/users/{user_id}/playlists")
async def user_playlists(call: Call) -> Reply:
    user_id = call.path("user_id")
    if user_id not in call.state.users:
        raise ApiError(404, "No such user")
    return _listing(call, user_id, f"/users/{user_id}/playlists")


async def _create(call: Call) -> Reply:
    body = await call.body()
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise ApiError(400, "Missing required field: name")
    public = body.get("public", True) is not False
    _need_modify_scope(call, public)
    playlist = call.state.create_playlist(
        call.user.id,
        name,
        str(body.get("description") or ""),
        public,
        body.get("collaborative") is True,
    )
    return Reply(call.render.playlist_full(playlist), 201)


def _need_modify_scope(call: Call, public: bool) -> None:
    scope = "playlist-modify-public" if public else "playlist-modify-private"
    if scope not in call.access.scope.split():
        raise ApiError(403, "Insufficient client scope")


@router.route("POST", "/me/playlists")
async def create_mine(call: Call) -> Reply:
    return await _create(call)


@router.route("POST", "/users/{user_id}/playlists")
async def create_for_user(call: Call) -> Reply:
    if call.path("user_id") != call.user.id:
        raise ApiError(403, "You cannot create a playlist for another user.")
    return await _create(call)


def _playlist(call: Call) -> Playlist:
    playlist = call.state.playlists.get(call.path("playlist_id"))
    if playlist is None or (
        not playlist.public and playlist.owner_id != call.user.id and not playlist.collaborative
    ):
        raise ApiError(404, "Resource not found")
    return playlist


@router.route("GET", "/playlists/{playlist_id}", scope="playlist-read-private")
async def get_playlist(call: Call) -> Reply:
    return Reply(call.render.playlist_full(_playlist(call)))


async def _items(call: Call, kind: str) -> Reply:
    playlist = _playlist(call)
    limit = call.int_param("limit", 20 if kind == "items" else 100, 1, ITEMS_PAGE_MAX)
    offset = call.int_param("offset", 0, 0, 100_000)
    render = call.render
    items = [render.playlist_entry(e) for e in playlist.entries[offset : offset + limit]]
    return Reply(
        render.paging(
            f"/playlists/{playlist.id}/{kind}", items, len(playlist.entries), offset, limit
        )
    )


@router.route("GET", "/playlists/{playlist_id}/items", scope="playlist-read-private")
async def get_items(call: Call) -> Reply:
    return await _items(call, "items")


@router.route("GET", "/playlists/{playlist_id}/tracks", scope="playlist-read-private")
async def get_tracks(call: Call) -> Reply:
    if call.dev:
        raise ApiError(403, "Use /playlists/{playlist_id}/items in development mode")
    return await _items(call, "tracks")


async def _add(call: Call) -> Reply:
    playlist = _playlist(call)
    if playlist.owner_id != call.user.id and not playlist.collaborative:
        raise ApiError(403, "Forbidden")
    _need_modify_scope(call, playlist.public)
    body = await call.body()
    uris = call.csv("uris", ADD_MAX, required=False)
    body_uris = body.get("uris")
    if not uris and isinstance(body_uris, list):
        uris = [str(u) for u in body_uris]
    if not uris:
        raise ApiError(400, "No uris provided")
    if len(uris) > ADD_MAX:
        raise ApiError(400, "You can add a maximum of 100 tracks per request.")
    for uri in uris:
        parts = uri.split(":")
        if len(parts) != 3 or parts[:2] != ["spotify", "track"] or not is_spotify_id(parts[2]):
            raise ApiError(400, f"Invalid track uri: {uri}")
        if parts[2] not in call.state.catalog.by_id:
            raise ApiError(400, "Payload contains a non-existing ID")
    raw_position = call.param("position") or body.get("position")
    position = None if raw_position is None else int(str(raw_position))
    if position is not None and not 0 <= position <= len(playlist.entries):
        raise ApiError(400, "Index out of bounds")
    snapshot = call.state.add_to_playlist(playlist.id, uris, call.user.id, position)
    return Reply({"snapshot_id": snapshot}, 201)


@router.route("POST", "/playlists/{playlist_id}/items")
async def add_items(call: Call) -> Reply:
    return await _add(call)


@router.route("POST", "/playlists/{playlist_id}/tracks")
async def add_tracks(call: Call) -> Reply:
    if call.dev:
        raise ApiError(403, "Use /playlists/{playlist_id}/items in development mode")
    return await _add(call)
