"""The SpotifyLinkRepo and SyncStateRepo contract, run on every backend via `storage`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from echotune.accounts.models import SpotifyLink, SyncState
from echotune.errors import Conflict
from echotune.storage.base import Storage

T0 = datetime(2024, 5, 1, 9, 30, 0, 123_000, tzinfo=UTC)


async def user(storage: Storage, name: str) -> str:
    return (await storage.users.get_or_create(name))[0].id


def link(user_id: str, spotify_id: str, **fields: object) -> SpotifyLink:
    base: dict[str, object] = {
        "user_id": user_id,
        "spotify_user_id": spotify_id,
        "display_name": f"Ünï {spotify_id}",
        "product": "premium",
        "scope": "user-library-read playlist-modify-private",
        "access_token_enc": b"\x01access\x00" + spotify_id.encode(),
        "refresh_token_enc": b"\x01refresh\xff" + spotify_id.encode(),
        "expires_at": T0 + timedelta(hours=1),
        "connected_at": T0,
        "updated_at": T0,
    }
    base.update(fields)
    return SpotifyLink.model_validate(base)


class TestSpotifyLinkContract:
    async def test_upsert_round_trips_every_field(self, storage: Storage) -> None:
        a = await user(storage, "alice")
        full = link(a, "sp-alice")
        await storage.spotify_links.upsert(full)
        assert await storage.spotify_links.get_for_user(a) == full
        assert await storage.spotify_links.get_by_spotify_id("sp-alice") == full
        assert await storage.spotify_links.get_for_user("nobody") is None
        assert await storage.spotify_links.get_by_spotify_id("sp-nobody") is None
        bare = link(a, "sp-alice", display_name=None, product=None, scope="")
        await storage.spotify_links.upsert(bare)
        assert await storage.spotify_links.get_for_user(a) == bare

    async def test_upsert_replaces_the_users_link(self, storage: Storage) -> None:
        a = await user(storage, "alice")
        await storage.spotify_links.upsert(link(a, "sp-old"))
        await storage.spotify_links.mark_disconnected(a, "Logged out", T0)
        again = link(a, "sp-new", product="free", updated_at=T0 + timedelta(days=1))
        await storage.spotify_links.upsert(again)
        assert await storage.spotify_links.get_for_user(a) == again
        assert await storage.spotify_links.get_by_spotify_id("sp-old") is None

    async def test_one_user_per_spotify_account(self, storage: Storage) -> None:
        a, b = await user(storage, "alice"), await user(storage, "bob")
        await storage.spotify_links.upsert(link(a, "sp-shared"))
        with pytest.raises(Conflict):
            await storage.spotify_links.upsert(link(b, "sp-shared"))
        assert await storage.spotify_links.get_for_user(b) is None
        assert (await storage.spotify_links.get_by_spotify_id("sp-shared")) == link(a, "sp-shared")

    async def test_list_connected_by_user_id(self, storage: Storage) -> None:
        ids = [await user(storage, n) for n in ("carol", "alice", "bob")]
        for i, uid in enumerate(ids):
            await storage.spotify_links.upsert(link(uid, f"sp{i}"))
        await storage.spotify_links.mark_disconnected(ids[1], "Refresh token revoked", T0)
        connected = await storage.spotify_links.list_connected()
        assert [x.user_id for x in connected] == sorted([ids[0], ids[2]])
        assert all(x.status == "connected" for x in connected)

    async def test_update_tokens_writes_only_the_tokens(self, storage: Storage) -> None:
        a = await user(storage, "alice")
        await storage.spotify_links.upsert(link(a, "sp-a"))
        later = T0 + timedelta(minutes=55)
        assert await storage.spotify_links.update_tokens(
            a, b"new-access", b"new-refresh", later + timedelta(hours=1), later
        )
        expected = link(
            a,
            "sp-a",
            access_token_enc=b"new-access",
            refresh_token_enc=b"new-refresh",
            expires_at=later + timedelta(hours=1),
            updated_at=later,
        )
        assert await storage.spotify_links.get_for_user(a) == expected
        # No new refresh token from Spotify: the stored one stays.
        assert await storage.spotify_links.update_tokens(a, b"newer", None, later, later)
        stored = await storage.spotify_links.get_for_user(a)
        assert stored is not None
        assert (stored.access_token_enc, stored.refresh_token_enc) == (b"newer", b"new-refresh")

    async def test_update_tokens_cannot_revive_a_disconnected_link(self, storage: Storage) -> None:
        a = await user(storage, "alice")
        assert not await storage.spotify_links.update_tokens(a, b"x", b"y", T0, T0)
        await storage.spotify_links.upsert(link(a, "sp-a"))
        await storage.spotify_links.mark_disconnected(a, "Logged out", T0)
        assert not await storage.spotify_links.update_tokens(a, b"x", b"y", T0, T0)
        stored = await storage.spotify_links.get_for_user(a)
        assert stored is not None and stored.status == "disconnected"
        assert (stored.access_token_enc, stored.refresh_token_enc) == (b"", b"")

    async def test_mark_disconnected_forgets_tokens_and_keeps_the_rest(
        self, storage: Storage
    ) -> None:
        a = await user(storage, "alice")
        await storage.spotify_links.upsert(link(a, "sp-a"))
        at = T0 + timedelta(days=2)
        assert await storage.spotify_links.mark_disconnected(a, "Refresh token revoked", at)
        stored = await storage.spotify_links.get_for_user(a)
        assert stored == link(
            a,
            "sp-a",
            status="disconnected",
            status_reason="Refresh token revoked",
            access_token_enc=b"",
            refresh_token_enc=b"",
            updated_at=at,
        )
        # Only a connected link is disconnected: the first reason stays.
        assert not await storage.spotify_links.mark_disconnected(a, "Logged out", at)
        assert not await storage.spotify_links.mark_disconnected("nobody", "x", at)
        assert await storage.spotify_links.get_by_spotify_id("sp-a") == stored
        assert await storage.users.get(a) is not None


def state(user_id: str, resource: str, **fields: object) -> SyncState:
    base: dict[str, object] = {"user_id": user_id, "resource": resource, "updated_at": T0}
    base.update(fields)
    return SyncState.model_validate(base)


class TestSyncStateContract:
    async def test_put_get_replace(self, storage: Storage) -> None:
        a = await user(storage, "alice")
        assert await storage.sync_state.get(a, "saved_tracks") is None
        first = state(a, "saved_tracks", cursor='{"offset": 50}')
        await storage.sync_state.put(first)
        assert await storage.sync_state.get(a, "saved_tracks") == first
        final = state(a, "saved_tracks", cursor=None, done=True, updated_at=T0 + timedelta(1))
        await storage.sync_state.put(final)
        assert await storage.sync_state.get(a, "saved_tracks") == final

    async def test_list_for_one_user_by_resource(self, storage: Storage) -> None:
        a, b = await user(storage, "alice"), await user(storage, "bob")
        for resource in ("top_tracks:short_term", "recently_played", "playlists"):
            await storage.sync_state.put(state(a, resource, cursor="1"))
        await storage.sync_state.put(state(b, "recently_played", cursor="2"))
        listed = await storage.sync_state.list_for(a)
        assert [s.resource for s in listed] == [
            "playlists",
            "recently_played",
            "top_tracks:short_term",
        ]
        assert await storage.sync_state.list_for(b) == [state(b, "recently_played", cursor="2")]
        assert await storage.sync_state.list_for("nobody") == []

    async def test_concurrent_first_puts_leave_one_state(self, storage: Storage) -> None:
        a = await user(storage, "alice")
        puts = [state(a, "saved_tracks", cursor=str(i)) for i in range(4)]
        await asyncio.gather(*(storage.sync_state.put(p) for p in puts))
        listed = await storage.sync_state.list_for(a)
        assert len(listed) == 1 and listed[0] in puts
