"""Tracks, artists, audio features, recommendations and search, batched at Spotify's limits."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from urllib.parse import quote

from pydantic import BaseModel

from echotune.spotify.api import ApiCore, M, chunks, parse
from echotune.spotify.errors import SpotifyNotFound, SpotifyUnavailable
from echotune.spotify.models import AudioFeatures, SpotifyArtist, SpotifyTrack

TRACKS_PER_CALL = 50
ARTISTS_PER_CALL = 50
FEATURES_PER_CALL = 100
# Development mode has no batch lookups; single lookups go out this many at a time.
SINGLE_LOOKUPS_AT_ONCE = 8
RecommendationParam = str | int | float | Sequence[str]


class _Tracks(BaseModel):
    tracks: list[SpotifyTrack | None]


class _Artists(BaseModel):
    artists: list[SpotifyArtist | None]


class _Features(BaseModel):
    audio_features: list[AudioFeatures | None]


class _SearchTracks(BaseModel):
    class _Items(BaseModel):
        items: list[SpotifyTrack]

    tracks: _Items


class CatalogApi(ApiCore):
    async def tracks(self, ids: Sequence[str]) -> list[SpotifyTrack]:
        """Tracks in the order asked; ids Spotify does not know are left out."""
        if self.development:
            return [t for t in await self._singles(SpotifyTrack, "/tracks", ids) if t]
        found: list[SpotifyTrack] = []
        for chunk in chunks(list(ids), TRACKS_PER_CALL):
            body = await self._model(_Tracks, "GET", "/tracks", {"ids": ",".join(chunk)})
            found.extend(t for t in body.tracks if t is not None)
        return found

    async def artists(self, ids: Sequence[str]) -> list[SpotifyArtist]:
        if self.development:
            return [a for a in await self._singles(SpotifyArtist, "/artists", ids) if a]
        found: list[SpotifyArtist] = []
        for chunk in chunks(list(ids), ARTISTS_PER_CALL):
            body = await self._model(_Artists, "GET", "/artists", {"ids": ",".join(chunk)})
            found.extend(a for a in body.artists if a is not None)
        return found

    async def audio_features(self, ids: Sequence[str]) -> list[AudioFeatures | None] | None:
        """One entry per id (None where Spotify has none); None when the endpoint is closed."""
        found: list[AudioFeatures | None] = []
        try:
            for chunk in chunks(list(ids), FEATURES_PER_CALL):
                body = await self._call(
                    "GET", "/audio-features", {"ids": ",".join(chunk)}, unavailable_on=403
                )
                found.extend(parse(_Features, body, "GET /audio-features").audio_features)
        except SpotifyUnavailable:
            return None
        return found

    async def recommendations(self, **params: RecommendationParam) -> list[SpotifyTrack] | None:
        """Spotify's recommendations; None for apps that may no longer call the endpoint."""
        query = {k: _param(v) for k, v in params.items()}
        try:
            body = await self._call("GET", "/recommendations", query, unavailable_on=404)
        except SpotifyUnavailable:
            return None
        return [t for t in parse(_Tracks, body, "GET /recommendations").tracks if t]

    async def search_tracks(self, q: str, limit: int = 10) -> list[SpotifyTrack]:
        cap = 10 if self.development else 50
        params: dict[str, str | int] = {"q": q, "type": "track", "limit": max(1, min(limit, cap))}
        return (await self._model(_SearchTracks, "GET", "/search", params)).tracks.items

    async def _singles(self, model: type[M], path: str, ids: Sequence[str]) -> list[M | None]:
        gate = asyncio.Semaphore(SINGLE_LOOKUPS_AT_ONCE)

        async def one(item_id: str) -> M | None:
            async with gate:
                try:
                    return await self._model(model, "GET", f"{path}/{quote(item_id, safe='')}")
                except SpotifyNotFound:
                    return None

        # A TaskGroup, so one failure cancels the lookups still queued instead of leaking them.
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(i)) for i in ids]
        return [task.result() for task in tasks]


def _param(value: RecommendationParam) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence):
        return ",".join(value)
    return str(value)
