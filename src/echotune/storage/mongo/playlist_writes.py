"""PlaylistWriteRepo on MongoDB: the idempotency ledger of playlist writes."""

from __future__ import annotations

from datetime import datetime

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from echotune.accounts.models import PlaylistWrite
from echotune.errors import StorageError
from echotune.storage.mongo.codec import Doc, to_bson_time
from echotune.storage.mongo.errors import translated

# Fields `save` records; the rest is fixed when the entry is created.
_PROGRESS = ("playlistId", "snapshotId", "itemsAdded", "done", "leaseUntil", "updatedAt")


def _doc(write: PlaylistWrite) -> Doc:
    return {
        "userId": write.user_id,
        "requestKey": write.request_key,
        "payloadHash": write.payload_hash,
        "owner": write.owner,
        "leaseUntil": to_bson_time(write.lease_until),
        "playlistId": write.playlist_id,
        "snapshotId": write.snapshot_id,
        "itemsAdded": write.items_added,
        "done": write.done,
        "createdAt": to_bson_time(write.created_at),
        "updatedAt": to_bson_time(write.updated_at),
    }


def _write(doc: Doc) -> PlaylistWrite:
    return PlaylistWrite(
        user_id=doc["userId"],
        request_key=doc["requestKey"],
        payload_hash=doc["payloadHash"],
        owner=doc["owner"],
        lease_until=doc["leaseUntil"],
        playlist_id=doc.get("playlistId"),
        snapshot_id=doc.get("snapshotId"),
        items_added=doc["itemsAdded"],
        done=doc["done"],
        created_at=doc["createdAt"],
        updated_at=doc["updatedAt"],
    )


class MongoPlaylistWriteRepo:
    def __init__(self, writes: AsyncCollection[Doc]) -> None:
        self._writes = writes

    @translated
    async def claim(self, write: PlaylistWrite, now: datetime) -> PlaylistWrite:
        doc = _doc(write)
        key: Doc = {"userId": write.user_id, "requestKey": write.request_key}
        try:
            # The unique (userId, requestKey) index decides which first claim wins.
            await self._writes.insert_one(dict(doc))
            return _write(doc)
        except DuplicateKeyError:
            pass
        # Each step is one atomic server operation and conditional, so a race
        # between them only means the read below shows the winner.
        await self._writes.update_one(
            {
                **key,
                "done": False,
                "payloadHash": write.payload_hash,
                "$or": [{"leaseUntil": {"$lte": to_bson_time(now)}}, {"owner": write.owner}],
            },
            {"$set": {f: doc[f] for f in ("owner", "leaseUntil", "updatedAt")}},
        )
        stored = await self._writes.find_one(key)
        if stored is None:
            raise StorageError("A playlist-write entry vanished while being claimed")
        return _write(stored)

    @translated
    async def get(self, user_id: str, request_key: str) -> PlaylistWrite | None:
        doc = await self._writes.find_one({"userId": user_id, "requestKey": request_key})
        return None if doc is None else _write(doc)

    @translated
    async def save(self, write: PlaylistWrite) -> bool:
        doc = _doc(write)
        result = await self._writes.update_one(
            {"userId": write.user_id, "requestKey": write.request_key, "owner": write.owner},
            {"$set": {f: doc[f] for f in _PROGRESS}},
        )
        return result.matched_count == 1
