"""Playback: state, devices and the Premium-only controls (play, pause, skip, queue, transfer).

Controls answer 403 PREMIUM_REQUIRED for a free user and 404 NO_ACTIVE_DEVICE when no
device is active and none was named, the two failures a client must tell apart.
"""

from __future__ import annotations

import time

from tests.fakes.spotify.ids import is_spotify_id
from tests.fakes.spotify.render import Json
from tests.fakes.spotify.routing import ApiError, Call, Reply, Router
from tests.fakes.spotify.state import Device, Player

router = Router()
READ = "user-read-playback-state"
MODIFY = "user-modify-playback-state"


def _active(call: Call) -> Device | None:
    return next((d for d in call.lib.devices if d.is_active), None)


@router.route("GET", "/me/player", scope=READ)
async def playback_state(call: Call) -> Reply:
    device = _active(call)
    if device is None:
        return Reply(status=204)
    player = call.lib.player
    body: Json = {
        "device": call.render.device(device),
        "repeat_state": "off",
        "shuffle_state": False,
        "timestamp": int(time.time() * 1000),
        "progress_ms": player.progress_ms,
        "is_playing": player.is_playing,
        "currently_playing_type": "track",
        "actions": {"disallows": {"resuming": player.is_playing}},
    }
    if player.item_uri is not None:
        body["item"] = call.render.track_by_uri(player.item_uri)
    if player.context_uri is not None:
        _, kind, object_id = player.context_uri.split(":", 2)
        body["context"] = {
            "type": kind,
            "uri": player.context_uri,
            "href": f"{call.render.api}/{kind}s/{object_id}",
            "external_urls": {"spotify": f"https://open.spotify.com/{kind}/{object_id}"},
        }
    return Reply(body)


@router.route("GET", "/me/player/devices", scope=READ)
async def devices(call: Call) -> Reply:
    return Reply({"devices": [call.render.device(d) for d in call.lib.devices]})


def _target(call: Call, device_id: str | None) -> Player:
    """The player a command acts on, after Spotify's checks in Spotify's order."""
    if call.user.product != "premium":
        raise ApiError(403, "Player command failed: Premium required", "PREMIUM_REQUIRED")
    if device_id is not None:
        if all(d.id != device_id for d in call.lib.devices):
            raise ApiError(404, "Device not found")
        call.state.activate_device(call.user.id, device_id)
    elif _active(call) is None:
        raise ApiError(404, "Player command failed: No active device found", "NO_ACTIVE_DEVICE")
    return call.lib.player


def _track_uri(call: Call, uri: str) -> str:
    parts = uri.split(":")
    if (
        len(parts) != 3
        or parts[:2] != ["spotify", "track"]
        or not is_spotify_id(parts[2])
        or (parts[2] not in call.state.catalog.by_id)
    ):
        raise ApiError(400, f"Invalid track uri: {uri}")
    return uri


def _context_uris(call: Call, context_uri: str) -> list[str]:
    _, kind, object_id = (context_uri.split(":", 2) + ["", ""])[:3]
    if kind == "playlist" and object_id in call.state.playlists:
        return [e.uri for e in call.state.playlists[object_id].entries]
    if kind == "album" and object_id in call.state.catalog.albums:
        return [
            f"spotify:track:{t.id}" for t in call.state.catalog.tracks if t.album_id == object_id
        ]
    raise ApiError(400, f"Invalid context uri: {context_uri}")


@router.route("PUT", "/me/player/play", scope=MODIFY)
async def play(call: Call) -> Reply:
    player = _target(call, call.param("device_id"))
    body = await call.body()
    uris, context_uri = body.get("uris"), body.get("context_uri")
    if isinstance(uris, list):
        player.uris, player.context_uri = [_track_uri(call, str(u)) for u in uris], None
    elif isinstance(context_uri, str):
        player.uris, player.context_uri = _context_uris(call, context_uri), context_uri
    if isinstance(uris, list) or isinstance(context_uri, str):
        offset = body.get("offset")
        position = offset.get("position", 0) if isinstance(offset, dict) else 0
        player.position, player.progress_ms = int(position), 0
    player.is_playing = True
    return Reply(status=204)


@router.route("PUT", "/me/player/pause", scope=MODIFY)
async def pause(call: Call) -> Reply:
    player = _target(call, call.param("device_id"))
    if not player.is_playing:
        raise ApiError(403, "Player command failed: Restriction violated", "UNKNOWN")
    player.is_playing = False
    return Reply(status=204)


@router.route("POST", "/me/player/next", scope=MODIFY)
async def skip_next(call: Call) -> Reply:
    player = _target(call, call.param("device_id"))
    if player.queue:
        player.uris.insert(player.position + 1, player.queue.pop(0))
    player.position, player.progress_ms = player.position + 1, 0
    return Reply(status=204)


@router.route("POST", "/me/player/previous", scope=MODIFY)
async def skip_previous(call: Call) -> Reply:
    player = _target(call, call.param("device_id"))
    player.position, player.progress_ms = max(0, player.position - 1), 0
    return Reply(status=204)


@router.route("POST", "/me/player/queue", scope=MODIFY)
async def add_to_queue(call: Call) -> Reply:
    uri = call.param("uri")
    if uri is None:
        raise ApiError(400, "Missing required parameter: uri")
    player = _target(call, call.param("device_id"))
    player.queue.append(_track_uri(call, uri))
    return Reply(status=204)


@router.route("PUT", "/me/player", scope=MODIFY)
async def transfer(call: Call) -> Reply:
    body = await call.body()
    device_ids = body.get("device_ids")
    if not isinstance(device_ids, list) or len(device_ids) != 1:
        raise ApiError(400, "Exactly one device_id is supported")
    player = _target(call, str(device_ids[0]))
    if body.get("play") is True:
        player.is_playing = True
    return Reply(status=204)
