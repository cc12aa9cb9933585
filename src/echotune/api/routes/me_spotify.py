"""The caller's Spotify account: status, sync, playlist push and playback, under
/api/v1/me/spotify. Without Spotify configured or connected these answer 409.

A sync runs as a background job (202 and a Location to poll); `?wait=true` blocks
until it ends and answers 200, or with the sync's error as before."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response
from pydantic import BaseModel

from echotune.accounts.connections import ConnectionStatus
from echotune.api.deps import (
    ConnectionsDep,
    CurrentUser,
    PlaybackDep,
    PlaylistPushDep,
    SyncJobsDep,
)
from echotune.playback.service import PlayRequest
from echotune.playlists.spotify_push import PushRequest, PushResult
from echotune.spotify.models import Device
from echotune.sync.jobs import SyncJob

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


@router.post(
    "/sync",
    response_model=SyncJob,
    status_code=202,
    description="Start syncing the library in the background: 202 with the job and a "
    "Location to poll. While a sync of this account runs, the same job is returned. "
    "With `wait=true` the call waits for the end: 200 with the finished job (its report "
    "filled in), or the sync's error.",
)
async def sync(
    jobs: SyncJobsDep,
    user: CurrentUser,
    request: Request,
    response: Response,
    wait: Annotated[bool, Query(description="Wait until the sync ends.")] = False,
) -> SyncJob:
    if wait:
        response.status_code = 200
        return await jobs.run(user.id)
    job = await jobs.start(user.id)
    response.headers["Location"] = str(request.url_for("sync_job", job_id=job.id))
    return job


@router.get("/sync", response_model=SyncJob, description="The latest sync job of this account.")
async def latest_sync(jobs: SyncJobsDep, user: CurrentUser) -> SyncJob:
    return jobs.latest(user.id)


@router.get("/sync/{job_id}", response_model=SyncJob, name="sync_job")
async def sync_job(
    jobs: SyncJobsDep, user: CurrentUser, job_id: Annotated[str, Path(max_length=64)]
) -> SyncJob:
    return jobs.get(user.id, job_id)


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
