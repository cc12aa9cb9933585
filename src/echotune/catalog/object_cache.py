"""A bounded cache of Spotify track objects, for the hot recommendation path.

Building a TrackObject costs a storage read and ~20 pydantic constructions;
recommendations return the same popular tracks again and again. The owner
clears the cache whenever the catalog it mirrors is rebuilt.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from echotune.catalog.spotify_objects import TrackObject, track_object
from echotune.storage.base import TrackRepo


class TrackObjectCache:
    def __init__(self, tracks: TrackRepo, max_items: int = 50_000) -> None:
        self._tracks = tracks
        self._max = max_items
        self._items: OrderedDict[tuple[str, str], TrackObject] = OrderedDict()

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    async def get_many(self, ids: Sequence[str], base: str) -> list[TrackObject]:
        """Track objects for the ids found, in the order given."""
        missing = [i for i in ids if (base, i) not in self._items]
        if missing:
            for track in await self._tracks.get_many(missing):
                self._put((base, track.id), track_object(track, base))
        out: list[TrackObject] = []
        for i in ids:
            obj = self._items.get((base, i))
            if obj is not None:
                self._items.move_to_end((base, i))
                out.append(obj)
        return out

    def _put(self, key: tuple[str, str], obj: TrackObject) -> None:
        self._items[key] = obj
        if len(self._items) > self._max:
            self._items.popitem(last=False)
