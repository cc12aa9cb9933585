"""Tracks as the chat shows them, and finding a track from what a user or model typed."""

from __future__ import annotations

import re

from echotune.catalog.models import Track, TrackQuery
from echotune.catalog.search_query import parse_search_query
from echotune.errors import InvalidInput, NotFound
from echotune.llm.types import JSONValue
from echotune.storage.base import TrackRepo

_ID = re.compile(r"^(?:spotify:track:)?([A-Za-z0-9]{22})$")
_BY = re.compile(r"^\s*(?P<title>.+?)\s+(?:by|-|–|—)\s+(?P<artist>.+?)\s*$", re.IGNORECASE)


def track_json(track: Track, explanation: str | None = None) -> dict[str, JSONValue]:
    out: dict[str, JSONValue] = {
        "id": track.id,
        "name": track.name,
        "artist": track.artist_name,
        "album": track.album_name,
        "genre": track.genre,
        "duration_ms": track.duration_ms or (track.features.duration_ms if track.features else 0),
    }
    if explanation:
        out["explanation"] = explanation
    return out


class TrackFinder:
    def __init__(self, tracks: TrackRepo) -> None:
        self._tracks = tracks

    async def find(self, text: str) -> Track:
        """A track by id, 'Title by Artist', 'Title - Artist' or plain words (most popular match)."""
        text = text.strip().strip("\"'")
        if not text:
            raise InvalidInput("track: give an id or 'Title by Artist'")
        match = _ID.match(text)
        if match:
            found = await self._tracks.get_many([match.group(1)])
            if found:
                return found[0]
        by = _BY.match(text)
        queries = []
        if by:
            queries.append(TrackQuery(track=by["title"], artist=by["artist"]))
        queries.append(TrackQuery(track=text))
        queries.append(parse_search_query(text))
        for query in queries:
            tracks, _ = await self._tracks.search(query, 1, 0)
            if tracks:
                return tracks[0]
        raise NotFound(f"No track matching '{text}' in the catalog")

    async def known(self, ids: list[str]) -> dict[str, Track]:
        return {t.id: t for t in await self._tracks.get_many(ids)}

    async def search(self, query: str, limit: int) -> list[Track]:
        tracks, _ = await self._tracks.search(parse_search_query(query), limit, 0)
        return tracks
