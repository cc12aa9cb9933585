"""Which tracks of a history the catalog holds, learned once per import.

The catalog is asked about each track id once per import, a batch of ids at
a time, never once per record. Tracks it lacks are added from the records'
own metadata (no audio features), but only once their file has been read
through without error, so a corrupt file adds no tracks either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from echotune.catalog.artist_ids import artist_id_for
from echotune.catalog.models import Track
from echotune.listening.export_records import TrackMeta, track_meta
from echotune.storage.base import TrackRepo

_WRITE_CHUNK = 1000
UNKNOWN_TRACK = "Unknown track"
UNKNOWN_ARTIST = "Unknown artist"


def track_from_meta(track_id: str, meta: TrackMeta) -> Track:
    artist = meta.artist_name or UNKNOWN_ARTIST
    return Track(
        id=track_id,
        name=meta.name or UNKNOWN_TRACK,
        artist_id=artist_id_for(artist),
        artist_name=artist,
        album_name=meta.album_name,
    )


class CatalogLinks:
    """Known track ids (with their genre) for one import, and one file's new tracks."""

    def __init__(self, tracks: TrackRepo) -> None:
        self._tracks = tracks
        self._genres: dict[str, str | None] = {}
        self._new: dict[str, TrackMeta] = {}

    async def learn(self, firsts: dict[str, dict[str, Any]]) -> None:
        """Look up, in one query, the track ids of `firsts` (id -> a record of
        it) not seen before in this import."""
        unseen = [i for i in firsts if i not in self._genres and i not in self._new]
        if not unseen:
            return
        for track in await self._tracks.get_many(unseen):
            self._genres[track.id] = track.genre
        for track_id in unseen:
            if track_id not in self._genres:
                self._new[track_id] = track_meta(firsts[track_id])

    def genres(self, track_ids: Sequence[str]) -> list[str | None]:
        known = self._genres
        return [known.get(t) for t in track_ids]

    def forget_new(self) -> None:
        """The file failed: its new tracks are not added."""
        self._new.clear()

    async def add_new(self) -> int:
        """Add the file's new tracks to the catalog; returns how many were added."""
        new, self._new = self._new, {}
        added = 0
        ids = list(new)
        for start in range(0, len(ids), _WRITE_CHUNK):
            chunk = ids[start : start + _WRITE_CHUNK]
            # Asked again right before writing: upsert_many would replace a
            # track that another import added meanwhile, features and all.
            present = {t.id for t in await self._tracks.get_many(chunk)}
            tracks = [track_from_meta(i, new[i]) for i in chunk if i not in present]
            if tracks:
                added += (await self._tracks.upsert_many(tracks)).inserted
        self._genres.update(dict.fromkeys(ids))
        return added
