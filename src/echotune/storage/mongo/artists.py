"""ArtistRepo on MongoDB: artists are grouped out of the tracks collection on demand."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo.asynchronous.collection import AsyncCollection

from echotune.catalog.models import Artist
from echotune.storage.mongo.codec import Doc
from echotune.storage.mongo.errors import translated
from echotune.storage.mongo.tracks import contains

# $min of the name: tracks of one artist may spell it differently; any fixed
# choice will do as long as every backend makes the same one.
_GROUP: Doc = {
    "$group": {
        "_id": "$artistId",
        "name": {"$min": "$artistName"},
        "popularity": {"$max": "$popularity"},
        "trackCount": {"$sum": 1},
        "genres": {"$addToSet": "$genre"},
    }
}


def _artist(doc: Doc) -> Artist:
    return Artist(
        id=doc["_id"],
        name=doc["name"],
        genres=sorted(g for g in doc["genres"] if g is not None),
        popularity=doc["popularity"],
        track_count=doc["trackCount"],
    )


class MongoArtistRepo:
    def __init__(self, tracks: AsyncCollection[Doc]) -> None:
        self._tracks = tracks

    @translated
    async def get(self, artist_id: str) -> Artist | None:
        cursor = await self._tracks.aggregate([{"$match": {"artistId": artist_id}}, _GROUP])
        docs = await cursor.to_list()
        return _artist(docs[0]) if docs else None

    @translated
    async def search(
        self, words: Sequence[str], limit: int, offset: int
    ) -> tuple[list[Artist], int]:
        # Match on any track's spelling, then aggregate over all the artist's
        # tracks, so counts and genres do not depend on the words searched.
        named = [{"artistName": contains(w)} for w in words if w]
        match: Doc = {"$and": named} if named else {}
        ids_pipeline: list[Doc] = [{"$match": match}, {"$group": {"_id": "$artistId"}}]
        ids = [doc["_id"] async for doc in await self._tracks.aggregate(ids_pipeline)]
        if limit <= 0 or offset >= len(ids):
            return [], len(ids)
        pipeline: list[Doc] = [{"$match": {"artistId": {"$in": ids}}}] if named else []
        pipeline += [
            _GROUP,
            {"$sort": {"popularity": -1, "_id": 1}},
            {"$skip": max(offset, 0)},
            {"$limit": limit},
        ]
        page = await (await self._tracks.aggregate(pipeline)).to_list()
        return [_artist(doc) for doc in page], len(ids)
