"""TrackRepo on MongoDB."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from functools import partial

from pymongo import ASCENDING, DESCENDING, ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.mongo_client import AsyncMongoClient

from echotune.catalog.models import Track, TrackQuery, UpsertResult
from echotune.storage.mongo.codec import Doc, track_from_doc, track_to_doc
from echotune.storage.mongo.errors import translate, translated

SEARCH_ORDER = [("popularity", DESCENDING), ("_id", ASCENDING)]


def contains(text: str) -> Doc:
    """Case-insensitive substring match on the literal text."""
    return {"$regex": re.escape(text), "$options": "i"}


def track_filter(query: TrackQuery) -> Doc:
    clauses: list[Doc] = [
        {"$or": [{"name": contains(w)}, {"artistName": contains(w)}]} for w in query.words
    ]
    if query.track:
        clauses.append({"name": contains(query.track)})
    if query.artist:
        clauses.append({"artistName": contains(query.artist)})
    if query.album:
        clauses.append({"albumName": contains(query.album)})
    if query.genre:
        clauses.append(
            {"$or": [{"genre": contains(query.genre)}, {"subgenre": contains(query.genre)}]}
        )
    # releaseDate is 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD': string order is date order.
    released: Doc = {}
    if query.year_from is not None:
        released["$gte"] = f"{query.year_from:04d}"
    if query.year_to is not None:
        released["$lt"] = f"{query.year_to + 1:04d}"
    if released:
        clauses.append({"releaseDate": released})
    return {"$and": clauses} if clauses else {}


class MongoTrackRepo:
    def __init__(
        self, client: AsyncMongoClient[Doc], tracks: AsyncCollection[Doc], transactions: bool
    ) -> None:
        self._client = client
        self._tracks = tracks
        self._transactions = transactions

    @translated
    async def upsert_many(self, tracks: Sequence[Track]) -> UpsertResult:
        latest = {t.id: t for t in tracks}  # a repeated id keeps its last copy
        if not latest:
            return UpsertResult()
        if not self._transactions:
            # A standalone server has no multi-document transactions: an
            # ordered bulk write stops at the first failure, so a failed batch
            # leaves a prefix written; re-running the same batch completes it.
            return await self._upsert(latest, None)
        async with self._client.start_session() as session:
            # with_transaction also retries transient errors (write conflicts,
            # primary step-down) by re-running the whole read-compare-write.
            return await session.with_transaction(partial(self._upsert, latest))

    async def _upsert(
        self, latest: dict[str, Track], session: AsyncClientSession | None
    ) -> UpsertResult:
        cursor = self._tracks.find({"_id": {"$in": list(latest)}}, session=session)
        existing = {doc["_id"]: track_from_doc(doc) async for doc in cursor}
        writes = [t for i, t in latest.items() if existing.get(i) != t]
        if writes:
            ops = [ReplaceOne({"_id": t.id}, track_to_doc(t), upsert=True) for t in writes]
            await self._tracks.bulk_write(ops, ordered=True, session=session)
        inserted = sum(1 for t in writes if t.id not in existing)
        return UpsertResult(
            inserted=inserted, updated=len(writes) - inserted, unchanged=len(latest) - len(writes)
        )

    @translated
    async def get_many(self, ids: Sequence[str]) -> list[Track]:
        wanted = list(ids)
        cursor = self._tracks.find({"_id": {"$in": list(dict.fromkeys(wanted))}})
        found = {doc["_id"]: track_from_doc(doc) async for doc in cursor}
        return [found[i] for i in wanted if i in found]

    @translated
    async def count(self) -> int:
        return await self._tracks.count_documents({})

    async def iter_all(self, batch_size: int = 5000) -> AsyncIterator[list[Track]]:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        after = ""  # every id is non-empty, so '' sorts before all of them
        while True:
            with translate("iter_all"):
                cursor = self._tracks.find({"_id": {"$gt": after}}).sort("_id", ASCENDING)
                batch = [track_from_doc(doc) async for doc in cursor.limit(batch_size)]
            if not batch:
                return
            yield batch
            if len(batch) < batch_size:
                return
            after = batch[-1].id

    @translated
    async def search(self, query: TrackQuery, limit: int, offset: int) -> tuple[list[Track], int]:
        where = track_filter(query)
        total = await self._tracks.count_documents(where)
        if limit <= 0 or offset >= total:
            return [], total  # Mongo reads limit 0 as "no limit"
        cursor = self._tracks.find(where).sort(SEARCH_ORDER).skip(max(offset, 0)).limit(limit)
        return [track_from_doc(doc) async for doc in cursor], total
