"""Create a Spotify playlist and add tracks, so that a retry never adds a track twice.

Each push names a `request_key` (the client's idempotency key). The ledger
(`PlaylistWriteRepo`) records the playlist id as soon as it exists and how many
of the requested tracks are in it after every chunk; a retry resumes from there.
A chunk whose answer was lost is found by comparing Spotify's item count with
the ledger before adding again: nobody else writes to a playlist we created.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, Field

from echotune.accounts.connections import SpotifyConnections
from echotune.accounts.models import PlaylistWrite
from echotune.accounts.spotify_errors import spotify_errors
from echotune.errors import Conflict, EchotuneError
from echotune.playback.service import track_uri
from echotune.spotify.client import SpotifyClient
from echotune.storage.base import PlaylistWriteRepo

CHUNK = 100  # Spotify's limit of items per add call
LEASE = timedelta(minutes=2)


def _now() -> datetime:
    return datetime.now(UTC)


class PushRequest(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=300)
    public: bool = False
    track_ids: list[str] = Field(min_length=1, max_length=10_000)
    request_key: str = Field(
        default_factory=lambda: uuid.uuid4().hex,
        min_length=1,
        max_length=200,
        description="Idempotency key: a retry with the same key adds nothing twice",
    )


class PushResult(BaseModel):
    playlist_id: str
    uri: str
    url: str
    tracks_added: int
    request_key: str


def payload_hash(request: PushRequest, uris: list[str]) -> str:
    body = json.dumps([request.name, request.description, request.public, uris])
    return hashlib.sha256(body.encode()).hexdigest()


class PlaylistPushService:
    def __init__(
        self,
        connections: SpotifyConnections,
        ledger: PlaylistWriteRepo,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._connections = connections
        self._ledger = ledger
        self._clock = clock

    async def push(self, user_id: str, request: PushRequest) -> PushResult:
        uris = [track_uri(t) for t in request.track_ids]
        client = await self._connections.client(user_id)
        attempt = _Attempt(self._ledger, self._clock, await self._claim(user_id, request, uris))
        if not attempt.write.done:
            try:
                async with spotify_errors():
                    await self._create(client, user_id, request, attempt)
                    await _add(client, attempt, uris)
            except EchotuneError:
                # A failure we saw (not a crash): free the claim so a retry need not wait
                # for the lease to run out. The progress recorded so far stays.
                await attempt.release()
                raise
        return _result(attempt.write, request.request_key)

    async def _claim(self, user_id: str, request: PushRequest, uris: list[str]) -> PlaylistWrite:
        digest = payload_hash(request, uris)
        now = self._clock()
        mine = PlaylistWrite(
            user_id=user_id, request_key=request.request_key, payload_hash=digest,
            owner=uuid.uuid4().hex, lease_until=now + LEASE, created_at=now, updated_at=now,
        )
        stored = await self._ledger.claim(mine, now)
        if stored.payload_hash != digest:
            raise Conflict(
                f"request_key '{request.request_key}' was already used for a different playlist"
            )
        if not stored.done and stored.owner != mine.owner:
            raise Conflict("A push with this request_key is in progress; retry in a minute")
        return stored

    async def _create(
        self, client: SpotifyClient, user_id: str, request: PushRequest, attempt: _Attempt
    ) -> None:
        if attempt.write.playlist_id is not None:
            return
        status = await self._connections.status(user_id)
        owner = status.spotify_user_id or (await client.me()).id
        playlist = await client.create_playlist(
            owner, request.name, request.description, request.public
        )
        await attempt.save(playlist_id=playlist.id, snapshot_id=playlist.snapshot_id)


class _Attempt:
    """One push's hold on its ledger entry; every change is saved fenced by owner."""

    def __init__(
        self, ledger: PlaylistWriteRepo, clock: Callable[[], datetime], write: PlaylistWrite
    ) -> None:
        self._ledger = ledger
        self._clock = clock
        self.write = write

    async def save(self, **changes: object) -> None:
        now = self._clock()
        updated = self.write.model_copy(
            update={**changes, "updated_at": now, "lease_until": now + LEASE}
        )
        if not await self._ledger.save(updated):
            raise Conflict("Another attempt took over this push; retry with the same request_key")
        self.write = updated

    async def release(self) -> None:
        await self._ledger.save(self.write.model_copy(update={"lease_until": self._clock()}))


async def _add(client: SpotifyClient, attempt: _Attempt, uris: list[str]) -> None:
    playlist_id = attempt.write.playlist_id
    assert playlist_id is not None
    present = await _item_count(client, playlist_id)
    if present > attempt.write.items_added:
        # An add whose answer was lost did land: count it as done.
        await attempt.save(items_added=min(present, len(uris)))
    while attempt.write.items_added < len(uris):
        start = attempt.write.items_added
        chunk = uris[start : start + CHUNK]
        snapshot = await client.add_items(playlist_id, chunk, position=start)
        await attempt.save(items_added=start + len(chunk), snapshot_id=snapshot)
    await attempt.save(done=True)


async def _item_count(client: SpotifyClient, playlist_id: str) -> int:
    count = 0
    async for page in client.playlist_items(playlist_id):
        count += len(page)
    return count


def _result(write: PlaylistWrite, request_key: str) -> PushResult:
    playlist_id = write.playlist_id or ""
    return PushResult(
        playlist_id=playlist_id,
        uri=f"spotify:playlist:{playlist_id}",
        url=f"https://open.spotify.com/playlist/{playlist_id}",
        tracks_added=write.items_added,
        request_key=request_key,
    )
