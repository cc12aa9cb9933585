"""The caller's Spotify account: status, sync, playlist push and playback, under
/api/v1/me/spotify. Without Spotify configured or connected these answer 409."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel

from echotune.accounts.connections import ConnectionStatus
from echotune.api.deps import (
    ConnectionsDep,
    CurrentUser,
    PlaybackDep,
    PlaylistPushDep,
    SyncDep,
)
from echotune.playback.service import PlayRequest
from echotune.playlists.spotify_push import PushRequest, PushResult
from echotune.spotify.models import Device
from echotune.spotify.transport import Priority
from echotune.sync.progress import SyncReport

router = APIRouter(prefix="/api/v1/me/spotify", tags=["spotify"])
DeviceId = Annotated[str | None, Query(max_length=100)]


class DeviceList(BaseModel):
    devices: list[Device]


class Transfer(BaseModel):
    device_id: str
    play: bool = False


@router.get("", response_model=ConnectionStatus)
async def status(connections: ConnectionsDep, user: CurrentUser) -> ConnectionStatus:
    return await connections.status(user.id)


@router.post("/sync", response_model=SyncReport, description="Sync the library now.")
async def sync(sync: SyncDep, user: CurrentUser) -> SyncReport:
    return await sync.sync_user(user.id, priority=Priority.HIGH)


@router.post(
    "/playlists",
    response_model=PushResult,
    status_code=201,
    description="Create a playlist on Spotify with these tracks. Send the same "
    "`request_key` (or Idempotency-Key header) on a retry: nothing is added twice.",
)
async def push_playlist(
    body: PushRequest,
    push: PlaylistPushDep,
    user: CurrentUser,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> PushResult:
    if idempotency_key:
        body = body.model_copy(update={"request_key": idempotency_key})
    return await push.push(user.id, body)


@router.get("/devices", response_model=DeviceList)
async def devices(playback: PlaybackDep, user: CurrentUser) -> DeviceList:
    return DeviceList(devices=await playback.devices(user.id))


@router.put("/player/play", status_code=204)
async def play(body: PlayRequest, playback: PlaybackDep, user: CurrentUser) -> Response:
    await playback.play(user.id, body)
    return Response(status_code=204)


@router.put("/player/pause", status_code=204)
async def pause(playback: PlaybackDep, user: CurrentUser, device_id: DeviceId = None) -> Response:
    await playback.pause(user.id, device_id)
    return Response(status_code=204)


@router.post("/player/next", status_code=204)
async def next_track(
    playback: PlaybackDep, user: CurrentUser, device_id: DeviceId = None
) -> Response:
    await playback.next(user.id, device_id)
    return Response(status_code=204)


@router.post("/player/previous", status_code=204)
async def previous_track(
    playback: PlaybackDep, user: CurrentUser, device_id: DeviceId = None
) -> Response:
    await playback.previous(user.id, device_id)
    return Response(status_code=204)


@router.post("/player/queue", status_code=204)
async def queue(
    playback: PlaybackDep,
    user: CurrentUser,
    track_id: Annotated[str, Query(max_length=64)],
    device_id: DeviceId = None,
) -> Response:
    await playback.queue(user.id, track_id, device_id)
    return Response(status_code=204)


@router.put("/player", status_code=204, description="Transfer playback to a device.")
async def transfer(body: Transfer, playback: PlaybackDep, user: CurrentUser) -> Response:
    await playback.transfer(user.id, body.device_id, body.play)
    return Response(status_code=204)
