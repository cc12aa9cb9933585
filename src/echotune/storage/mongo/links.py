"""SpotifyLinkRepo and SyncStateRepo on MongoDB."""

from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from echotune.accounts.models import SpotifyLink, SyncState
from echotune.errors import Conflict
from echotune.storage.mongo.codec import Doc, to_bson_time
from echotune.storage.mongo.errors import translated


def _link_doc(link: SpotifyLink) -> Doc:
    return {
        "_id": link.user_id,
        "spotifyUserId": link.spotify_user_id,
        "displayName": link.display_name,
        "product": link.product,
        "scope": link.scope,
        "accessTokenEnc": link.access_token_enc,
        "refreshTokenEnc": link.refresh_token_enc,
        "expiresAt": to_bson_time(link.expires_at),
        "status": link.status,
        "statusReason": link.status_reason,
        "connectedAt": to_bson_time(link.connected_at),
        "updatedAt": to_bson_time(link.updated_at),
    }


def _link(doc: Doc) -> SpotifyLink:
    return SpotifyLink(
        user_id=doc["_id"],
        spotify_user_id=doc["spotifyUserId"],
        display_name=doc.get("displayName"),
        product=doc.get("product"),
        scope=doc["scope"],
        access_token_enc=bytes(doc["accessTokenEnc"]),
        refresh_token_enc=bytes(doc["refreshTokenEnc"]),
        expires_at=doc["expiresAt"],
        status=doc["status"],
        status_reason=doc.get("statusReason"),
        connected_at=doc["connectedAt"],
        updated_at=doc["updatedAt"],
    )


class MongoSpotifyLinkRepo:
    def __init__(self, links: AsyncCollection[Doc]) -> None:
        self._links = links

    @translated
    async def upsert(self, link: SpotifyLink) -> None:
        doc = _link_doc(link)
        await self._refuse_other_holder(link)
        try:
            await self._links.replace_one({"_id": link.user_id}, doc, upsert=True)
        except DuplicateKeyError:
            # Lost a race: either another user took this Spotify account, or a
            # concurrent upsert of this user inserted first (then replace it).
            await self._refuse_other_holder(link)
            await self._links.replace_one({"_id": link.user_id}, doc, upsert=True)

    @translated
    async def get_for_user(self, user_id: str) -> SpotifyLink | None:
        doc = await self._links.find_one({"_id": user_id})
        return None if doc is None else _link(doc)

    @translated
    async def get_by_spotify_id(self, spotify_user_id: str) -> SpotifyLink | None:
        doc = await self._links.find_one({"spotifyUserId": spotify_user_id})
        return None if doc is None else _link(doc)

    @translated
    async def list_connected(self) -> list[SpotifyLink]:
        cursor = self._links.find({"status": "connected"}).sort("_id", ASCENDING)
        return [_link(d) async for d in cursor]

    @translated
    async def update_tokens(
        self,
        user_id: str,
        access_enc: bytes,
        refresh_enc: bytes | None,
        expires_at: datetime,
        at: datetime,
    ) -> bool:
        changes: Doc = {
            "accessTokenEnc": access_enc,
            "expiresAt": to_bson_time(expires_at),
            "updatedAt": to_bson_time(at),
        }
        if refresh_enc is not None:
            changes["refreshTokenEnc"] = refresh_enc
        # A refresh racing a logout must not bring the tokens back.
        result = await self._links.update_one(
            {"_id": user_id, "status": "connected"}, {"$set": changes}
        )
        return result.matched_count == 1

    @translated
    async def mark_disconnected(self, user_id: str, reason: str, at: datetime) -> bool:
        changes: Doc = {
            "status": "disconnected",
            "statusReason": reason,
            "accessTokenEnc": b"",
            "refreshTokenEnc": b"",
            "updatedAt": to_bson_time(at),
        }
        result = await self._links.update_one(
            {"_id": user_id, "status": "connected"}, {"$set": changes}
        )
        return result.matched_count == 1

    async def _refuse_other_holder(self, link: SpotifyLink) -> None:
        other = await self._links.find_one(
            {"spotifyUserId": link.spotify_user_id, "_id": {"$ne": link.user_id}},
            projection={"_id": 1},
        )
        if other is not None:
            raise Conflict("This Spotify account is already linked to another EchoTune user")


def _state(doc: Doc) -> SyncState:
    return SyncState(
        user_id=doc["userId"],
        resource=doc["resource"],
        cursor=doc.get("cursor"),
        done=doc["done"],
        updated_at=doc["updatedAt"],
    )


class MongoSyncStateRepo:
    def __init__(self, states: AsyncCollection[Doc]) -> None:
        self._states = states

    @translated
    async def get(self, user_id: str, resource: str) -> SyncState | None:
        doc = await self._states.find_one({"userId": user_id, "resource": resource})
        return None if doc is None else _state(doc)

    @translated
    async def put(self, state: SyncState) -> None:
        key: Doc = {"userId": state.user_id, "resource": state.resource}
        doc: Doc = {
            **key,
            "cursor": state.cursor,
            "done": state.done,
            "updatedAt": to_bson_time(state.updated_at),
        }
        try:
            await self._states.replace_one(key, doc, upsert=True)
        except DuplicateKeyError:
            # Two first puts raced to insert; the loser now finds the row and replaces it.
            await self._states.replace_one(key, doc, upsert=True)

    @translated
    async def list_for(self, user_id: str) -> list[SyncState]:
        cursor = self._states.find({"userId": user_id}).sort("resource", ASCENDING)
        return [_state(d) async for d in cursor]
