"""ListeningRepo on MongoDB: `listeningEvents`, staged through `listeningStage`.

A unique index on (userId, timestamp, trackId) makes a play stored twice
impossible. `commit_stage` moves an import in with one aggregation ending in
`$merge` (whenMatched: keepExisting), in file order so of two copies the
first is kept. `$merge` reports nothing, so the new plays are counted after
it: an inserted event keeps the `_id` of the staged document it came from,
and the staged documents whose `_id` is now in listeningEvents are exactly
the new ones, counted by a `$lookup` on `_id` (always indexed).

`$merge` cannot run in a transaction: if the server fails half way, part of
the import is in; importing the same file again completes it, since
importing is idempotent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from functools import partial

from pymongo import DESCENDING, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.mongo_client import AsyncMongoClient

from echotune.listening.models import Play, UserTrackStats
from echotune.listening.play_batch import PlayBatch
from echotune.storage.mongo.codec import Doc, to_bson_time
from echotune.storage.mongo.errors import translate, translated
from echotune.storage.mongo.schema import LISTENING_EVENTS

_KEY = ("userId", "trackId", "timestamp")
_NEWEST_FIRST = [("timestamp", DESCENDING), ("trackId", DESCENDING)]
_STATS_PIPELINE: list[Doc] = [
    {
        "$group": {
            "_id": {"u": "$userId", "t": "$trackId"},
            "plays": {"$sum": 1},
            "skips": {"$sum": {"$cond": ["$skipped", 1, 0]}},
            "ms": {"$sum": "$msPlayed"},
            "last": {"$max": "$timestamp"},
        }
    },
    {"$sort": {"_id.u": 1, "_id.t": 1}},
]


def play_docs(plays: Sequence[Play]) -> list[Doc]:
    """Event documents; a PlayBatch is read column-wise, with no Play built."""
    if isinstance(plays, PlayBatch):
        user_id, source, parse = plays.user_id, plays.source, datetime.fromisoformat
        columns = zip(
            plays.track_ids,
            plays.played_at,
            plays.ms_played,
            plays.skipped,
            plays.contexts,
            plays.genres,
            strict=True,
        )
        # Canonical text is UTC to the millisecond: exactly what a BSON date holds.
        return [
            {
                "userId": user_id,
                "trackId": track_id,
                "timestamp": parse(at),
                "msPlayed": ms,
                "skipped": skipped,
                "context": context,
                "source": source,
                "genre": genre,
            }
            for track_id, at, ms, skipped, context, genre in columns
        ]
    return [
        {
            "userId": p.user_id,
            "trackId": p.track_id,
            "timestamp": to_bson_time(p.played_at),
            "msPlayed": p.ms_played,
            "skipped": p.skipped,
            "context": p.context,
            "source": p.source,
            "genre": p.genre,
        }
        for p in plays
    ]


def _play(doc: Doc) -> Play:
    return Play(
        user_id=doc["userId"],
        track_id=doc["trackId"],
        played_at=doc["timestamp"],
        ms_played=doc["msPlayed"],
        skipped=doc["skipped"],
        context=doc.get("context"),
        source=doc.get("source") or "api",
        genre=doc.get("genre"),
    )


def _stats(doc: Doc) -> UserTrackStats:
    key = doc["_id"]
    return UserTrackStats(
        user_id=key["u"],
        track_id=key["t"],
        plays=doc["plays"],
        skips=doc["skips"],
        ms_played=doc["ms"],
        last_played=doc["last"],
    )


class MongoListeningRepo:
    def __init__(
        self,
        client: AsyncMongoClient[Doc],
        events: AsyncCollection[Doc],
        stage: AsyncCollection[Doc],
        transactions: bool,
    ) -> None:
        self._client = client
        self._events = events
        self._stage = stage
        self._transactions = transactions

    @translated
    async def add_many(self, plays: Sequence[Play]) -> int:
        docs = play_docs(plays)
        if not docs:
            return 0
        # Upserts, not inserts: a duplicate key would abort a transaction.
        ops = [UpdateOne({k: d[k] for k in _KEY}, {"$setOnInsert": d}, upsert=True) for d in docs]
        if not self._transactions:
            return await self._upsert(ops, None)
        async with self._client.start_session() as session:
            return await session.with_transaction(partial(self._upsert, ops))

    async def _upsert(self, ops: list[UpdateOne], session: AsyncClientSession | None) -> int:
        result = await self._events.bulk_write(ops, ordered=True, session=session)
        return result.upserted_count

    @translated
    async def stage(self, import_id: str, plays: Sequence[Play]) -> None:
        docs = play_docs(plays)
        if not docs:
            return
        last = await self._stage.find_one({"importId": import_id}, sort=[("seq", DESCENDING)])
        start = 0 if last is None else int(last["seq"]) + 1
        now = datetime.now(UTC)
        for i, doc in enumerate(docs):
            doc["importId"], doc["seq"], doc["stagedAt"] = import_id, start + i, now
        await self._stage.insert_many(docs)

    @translated
    async def commit_stage(self, import_id: str) -> int:
        mine: Doc = {"$match": {"importId": import_id}}
        merge: Doc = {
            "into": LISTENING_EVENTS,
            "on": list(_KEY),
            "whenMatched": "keepExisting",
            "whenNotMatched": "insert",
        }
        await self._run(
            [
                mine,
                {"$sort": {"seq": 1}},
                {"$unset": ["importId", "seq", "stagedAt"]},
                {"$merge": merge},
            ]
        )
        landed = {"from": LISTENING_EVENTS, "localField": "_id", "foreignField": "_id", "as": "e"}
        counted = await self._run(
            [
                mine,
                {"$project": {"_id": 1}},
                {"$lookup": landed},
                {"$match": {"e.0": {"$exists": True}}},
                {"$count": "n"},
            ]
        )
        await self._stage.delete_many({"importId": import_id})
        return int(counted[0]["n"]) if counted else 0

    async def _run(self, pipeline: list[Doc]) -> list[Doc]:
        return await (await self._stage.aggregate(pipeline, allowDiskUse=True)).to_list()

    @translated
    async def drop_stage(self, import_id: str) -> None:
        await self._stage.delete_many({"importId": import_id})

    @translated
    async def page(self, user_id: str, before: datetime | None, limit: int) -> list[Play]:
        if limit <= 0:
            return []  # Mongo reads limit 0 as "no limit"
        where: Doc = {"userId": user_id}
        if before is not None:
            where["timestamp"] = {"$lt": to_bson_time(before)}
        cursor = self._events.find(where).sort(_NEWEST_FIRST).limit(limit)
        return [_play(doc) async for doc in cursor]

    @translated
    async def count(self, user_id: str | None = None) -> int:
        return await self._events.count_documents({} if user_id is None else {"userId": user_id})

    async def iter_user_track_stats(
        self, batch_size: int = 50_000
    ) -> AsyncIterator[list[UserTrackStats]]:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        with translate("iter_user_track_stats"):
            cursor = await self._events.aggregate(
                _STATS_PIPELINE, allowDiskUse=True, batchSize=min(batch_size, 10_000)
            )
        try:
            while True:
                with translate("iter_user_track_stats"):
                    batch = [_stats(doc) for doc in await cursor.to_list(batch_size)]
                if batch:
                    yield batch
                if len(batch) < batch_size:
                    return
        finally:
            await cursor.close()
