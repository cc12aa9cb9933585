"""Which tracks of a history the catalog holds, learned once per import.

The catalog is asked about each track id once per import, a batch of ids at
a time, never once per record. Tracks it lacks are added from the records'
own metadata (no audio features), but only once their file has been read
through without error, so a corrupt file adds no tracks either.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from echotune.catalog.artist_ids import artist_id_for
from echotune.catalog.models import Track, UpsertResult
from echotune.listening.export_fields import ExportRecord
from echotune.listening.export_records import TrackMeta, track_meta
from echotune.storage.base import TrackRepo

# New tracks are written in id order, this many a transaction: their ids
# are random, and 1,000 unsorted a transaction dirtied pages all over the
# tracks table and its indexes each time (95 µs a track against 18 µs).
_WRITE_CHUNK = 2500
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

    async def learn(self, firsts: dict[str, ExportRecord]) -> None:
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
        ids = sorted(new)
        added = 0
        writing: asyncio.Future[UpsertResult] | None = None
        try:
            for start in range(0, len(ids), _WRITE_CHUNK):
                chunk = ids[start : start + _WRITE_CHUNK]
                # Built while the previous chunk is being written.
                tracks = [track_from_meta(i, new[i]) for i in chunk]
                # Asked again right before writing: upsert_many would replace a
                # track that another import added meanwhile, features and all.
                present = {t.id for t in await self._tracks.get_many(chunk)}
                if writing is not None:
                    added += (await writing).inserted
                    writing = None
                fresh = [t for t in tracks if t.id not in present]
                if fresh:
                    writing = asyncio.ensure_future(self._tracks.upsert_many(fresh))
            if writing is not None:
                added += (await writing).inserted
                writing = None
        finally:
            if writing is not None:
                # Failing: let the write in flight end before the caller moves on.
                await asyncio.wait([writing])
                if not writing.cancelled():
                    writing.exception()  # retrieved: the first error is the one raised
        self._genres.update(dict.fromkeys(ids))
        return added
