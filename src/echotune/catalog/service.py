"""The catalog service behind the Spotify-compatible /v1 catalog endpoints."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlencode

from echotune.catalog.models import Track
from echotune.catalog.search_query import parse_search_query
from echotune.catalog.spotify_objects import (
    ArtistObject,
    AudioFeaturesObject,
    AudioFeaturesResponse,
    PagingArtists,
    PagingTracks,
    SearchResponse,
    TrackObject,
    TracksResponse,
    artist_object,
    audio_features_object,
    track_object,
)
from echotune.errors import InvalidInput, NotFound
from echotune.storage.base import ArtistRepo, TrackRepo

_SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")
SEARCH_TYPES = frozenset({"track", "artist"})
# Types Spotify knows that our catalog has nothing of: answered as empty pages.
OTHER_SPOTIFY_TYPES = frozenset({"album", "playlist", "show", "episode", "audiobook"})


def check_id(item_id: str) -> str:
    if not _SPOTIFY_ID.match(item_id):
        raise InvalidInput(f"Invalid base62 id: '{item_id}'")
    return item_id


def split_ids(ids: str, most: int) -> list[str]:
    parts = [p.strip() for p in ids.split(",") if p.strip()]
    if not parts:
        raise InvalidInput("ids must list at least one id")
    if len(parts) > most:
        raise InvalidInput(f"Too many ids requested: {len(parts)}, at most {most}")
    return [check_id(p) for p in parts]


class CatalogService:
    def __init__(self, tracks: TrackRepo, artists: ArtistRepo) -> None:
        self._tracks = tracks
        self._artists = artists

    async def track(self, track_id: str, base: str) -> TrackObject:
        found = await self._tracks.get_many([check_id(track_id)])
        if not found:
            raise NotFound(f"Non existing id: '{track_id}'")
        return track_object(found[0], base)

    async def tracks(self, ids: str, base: str) -> TracksResponse:
        wanted = split_ids(ids, 50)
        by_id = await self._by_id(wanted)
        return TracksResponse(
            tracks=[track_object(by_id[i], base) if i in by_id else None for i in wanted]
        )

    async def artist(self, artist_id: str, base: str) -> ArtistObject:
        artist = await self._artists.get(check_id(artist_id))
        if artist is None:
            raise NotFound(f"Non existing id: '{artist_id}'")
        return artist_object(artist, base)

    async def audio_features(self, track_id: str, base: str) -> AudioFeaturesObject:
        found = await self._tracks.get_many([check_id(track_id)])
        if not found or found[0].features is None:
            raise NotFound(f"No audio features for id: '{track_id}'")
        return audio_features_object(track_id, found[0].features, base)

    async def many_audio_features(self, ids: str, base: str) -> AudioFeaturesResponse:
        wanted = split_ids(ids, 100)
        by_id = await self._by_id(wanted)
        out: list[AudioFeaturesObject | None] = []
        for i in wanted:
            t = by_id.get(i)
            out.append(audio_features_object(i, t.features, base) if t and t.features else None)
        return AudioFeaturesResponse(audio_features=out)

    async def search(
        self, q: str, types: str, limit: int, offset: int, base: str
    ) -> SearchResponse:
        wanted = _parse_types(types)
        query = parse_search_query(q)
        page = {"q": q, "type": types}
        result = SearchResponse()
        if "track" in wanted:
            found, total = await self._tracks.search(query, limit, offset)
            result.tracks = PagingTracks(
                items=[track_object(t, base) for t in found],
                **_paging(f"{base}/search", page, limit, offset, total),
            )
        if "artist" in wanted:
            words = list(query.words) + ([query.artist] if query.artist else [])
            artists, total = await self._artists.search(words, limit, offset)
            result.artists = PagingArtists(
                items=[artist_object(a, base) for a in artists],
                **_paging(f"{base}/search", page, limit, offset, total),
            )
        return result

    async def _by_id(self, ids: Sequence[str]) -> dict[str, Track]:
        return {t.id: t for t in await self._tracks.get_many(list(dict.fromkeys(ids)))}


def _parse_types(types: str) -> set[str]:
    wanted = {t.strip() for t in types.split(",") if t.strip()}
    unknown = wanted - SEARCH_TYPES - OTHER_SPOTIFY_TYPES
    if not wanted or unknown:
        raise InvalidInput(
            f"Bad search type field: {', '.join(sorted(unknown)) or '(empty)'}"
        )
    return wanted & SEARCH_TYPES


def _paging(
    href: str, params: dict[str, str], limit: int, offset: int, total: int
) -> dict[str, str | int | None]:
    def link(off: int) -> str:
        return f"{href}?{urlencode({**params, 'offset': off, 'limit': limit})}"

    return {
        "href": link(offset),
        "limit": limit,
        "offset": offset,
        "total": total,
        "next": link(offset + limit) if offset + limit < total else None,
        "previous": link(max(0, offset - limit)) if offset > 0 else None,
    }
