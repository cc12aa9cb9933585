"""Playback commands for a user, with clear errors for no device and no Premium."""

from __future__ import annotations

from pydantic import BaseModel, Field

from echotune.accounts.connections import SpotifyConnections
from echotune.accounts.spotify_errors import spotify_errors
from echotune.errors import InvalidInput
from echotune.spotify.models import Device

_TRACK_URI = "spotify:track:"


class PlayRequest(BaseModel):
    device_id: str | None = None
    track_ids: list[str] = Field(default_factory=list, max_length=100)
    context_uri: str | None = None


def track_uri(track_id: str) -> str:
    track_id = track_id.removeprefix(_TRACK_URI)
    if not track_id.isalnum() or len(track_id) != 22:
        raise InvalidInput(f"'{track_id}' is not a Spotify track id (22 letters and digits)")
    return _TRACK_URI + track_id


class PlaybackService:
    def __init__(self, connections: SpotifyConnections) -> None:
        self._connections = connections

    async def devices(self, user_id: str) -> list[Device]:
        client = await self._connections.client(user_id)
        async with spotify_errors():
            return await client.devices()

    async def play(self, user_id: str, request: PlayRequest) -> None:
        if request.track_ids and request.context_uri:
            raise InvalidInput("Give track_ids or context_uri, not both")
        uris = [track_uri(t) for t in request.track_ids] or None
        client = await self._connections.client(user_id)
        async with spotify_errors():
            await client.play(request.device_id, uris=uris, context_uri=request.context_uri)

    async def pause(self, user_id: str, device_id: str | None = None) -> None:
        client = await self._connections.client(user_id)
        async with spotify_errors():
            await client.pause(device_id)

    async def next(self, user_id: str, device_id: str | None = None) -> None:
        client = await self._connections.client(user_id)
        async with spotify_errors():
            await client.next(device_id)

    async def previous(self, user_id: str, device_id: str | None = None) -> None:
        client = await self._connections.client(user_id)
        async with spotify_errors():
            await client.previous(device_id)

    async def queue(self, user_id: str, track_id: str, device_id: str | None = None) -> None:
        uri = track_uri(track_id)
        client = await self._connections.client(user_id)
        async with spotify_errors():
            await client.queue(uri, device_id)

    async def transfer(self, user_id: str, device_id: str, play: bool = False) -> None:
        client = await self._connections.client(user_id)
        async with spotify_errors():
            await client.transfer(device_id, play)
