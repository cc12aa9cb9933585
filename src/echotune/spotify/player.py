"""Playback control. Errors worth telling the user apart: SpotifyNoActiveDevice (nothing is
open to play on) and SpotifyPremiumRequired (Spotify allows control for Premium only)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from echotune.spotify.api import ApiCore
from echotune.spotify.models import Device


class _Devices(BaseModel):
    devices: list[Device]


def _device(device_id: str | None) -> dict[str, str | int] | None:
    return {"device_id": device_id} if device_id else None


class PlayerApi(ApiCore):
    async def devices(self) -> list[Device]:
        return (await self._model(_Devices, "GET", "/me/player/devices")).devices

    async def play(
        self,
        device_id: str | None = None,
        uris: Sequence[str] | None = None,
        context_uri: str | None = None,
    ) -> None:
        """Start or resume playback, of `uris` or a `context_uri` (album, playlist) if given."""
        body: dict[str, object] | None = None
        if uris:
            body = {"uris": list(uris)}
        elif context_uri:
            body = {"context_uri": context_uri}
        await self._call("PUT", "/me/player/play", _device(device_id), body)

    async def pause(self, device_id: str | None = None) -> None:
        await self._call("PUT", "/me/player/pause", _device(device_id))

    async def next(self, device_id: str | None = None) -> None:
        await self._call("POST", "/me/player/next", _device(device_id))

    async def previous(self, device_id: str | None = None) -> None:
        await self._call("POST", "/me/player/previous", _device(device_id))

    async def queue(self, uri: str, device_id: str | None = None) -> None:
        await self._call("POST", "/me/player/queue", {"uri": uri, **(_device(device_id) or {})})

    async def transfer(self, device_id: str, play: bool = False) -> None:
        await self._call("PUT", "/me/player", json={"device_ids": [device_id], "play": play})
