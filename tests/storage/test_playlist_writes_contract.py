"""The PlaylistWriteRepo contract (the idempotency ledger), on every backend via `storage`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from echotune.accounts.models import PlaylistWrite
from echotune.storage.base import Storage

T0 = datetime(2024, 5, 1, 9, 30, 0, 123_000, tzinfo=UTC)
LEASE = timedelta(minutes=2)


def write(user_id: str, owner: str, at: datetime = T0, **fields: object) -> PlaylistWrite:
    base: dict[str, object] = {
        "user_id": user_id,
        "request_key": "req-1",
        "payload_hash": "hash-1",
        "owner": owner,
        "lease_until": at + LEASE,
        "created_at": at,
        "updated_at": at,
    }
    base.update(fields)
    return PlaylistWrite.model_validate(base)


async def alice(storage: Storage) -> str:
    return (await storage.users.get_or_create("alice"))[0].id


class TestPlaylistWriteContract:
    async def test_first_claim_stores_the_entry(self, storage: Storage) -> None:
        a = await alice(storage)
        mine = write(a, "w1")
        assert await storage.playlist_writes.get(a, "req-1") is None
        assert await storage.playlist_writes.claim(mine, T0) == mine
        assert await storage.playlist_writes.get(a, "req-1") == mine
        assert await storage.playlist_writes.get(a, "req-2") is None

    async def test_a_live_claim_is_not_taken_over(self, storage: Storage) -> None:
        a = await alice(storage)
        first = write(a, "w1")
        await storage.playlist_writes.claim(first, T0)
        soon = T0 + LEASE / 2
        assert await storage.playlist_writes.claim(write(a, "w2", at=soon), soon) == first
        # The holder itself may claim again (and renews its lease).
        renewed = write(a, "w1", at=soon, created_at=T0)
        assert await storage.playlist_writes.claim(renewed, soon) == renewed

    async def test_an_expired_claim_is_taken_over_keeping_progress(self, storage: Storage) -> None:
        a = await alice(storage)
        first = write(a, "w1")
        await storage.playlist_writes.claim(first, T0)
        progress = first.model_copy(
            update={"playlist_id": "pl1", "snapshot_id": "snap", "items_added": 200}
        )
        assert await storage.playlist_writes.save(progress)
        later = T0 + LEASE
        taken = await storage.playlist_writes.claim(write(a, "w2", at=later), later)
        assert taken == progress.model_copy(
            update={"owner": "w2", "lease_until": later + LEASE, "updated_at": later}
        )
        # The old owner is fenced off: its saves no longer land.
        late = progress.model_copy(update={"items_added": 300})
        assert not await storage.playlist_writes.save(late)
        assert await storage.playlist_writes.get(a, "req-1") == taken

    async def test_done_and_other_payloads_are_returned_untouched(self, storage: Storage) -> None:
        a = await alice(storage)
        first = write(a, "w1")
        await storage.playlist_writes.claim(first, T0)
        finished = first.model_copy(update={"playlist_id": "pl1", "items_added": 3, "done": True})
        assert await storage.playlist_writes.save(finished)
        much_later = T0 + timedelta(days=1)
        retry = write(a, "w2", at=much_later)
        assert await storage.playlist_writes.claim(retry, much_later) == finished
        other = write(a, "w3", at=much_later, payload_hash="hash-2")
        assert await storage.playlist_writes.claim(other, much_later) == finished

    async def test_expired_claim_with_another_payload_stays(self, storage: Storage) -> None:
        a = await alice(storage)
        first = write(a, "w1")
        await storage.playlist_writes.claim(first, T0)
        later = T0 + LEASE * 2
        other = write(a, "w2", at=later, payload_hash="hash-2")
        assert await storage.playlist_writes.claim(other, later) == first

    async def test_keys_are_per_user(self, storage: Storage) -> None:
        a = await alice(storage)
        b = (await storage.users.get_or_create("bob"))[0].id
        mine, theirs = write(a, "w1"), write(b, "w2")
        assert await storage.playlist_writes.claim(mine, T0) == mine
        assert await storage.playlist_writes.claim(theirs, T0) == theirs
        assert not await storage.playlist_writes.save(write(b, "w1"))

    async def test_concurrent_claims_have_exactly_one_owner(self, storage: Storage) -> None:
        a = await alice(storage)
        claims = [write(a, f"w{i}") for i in range(6)]
        results = await asyncio.gather(*(storage.playlist_writes.claim(c, T0) for c in claims))
        owners = {r.owner for r in results}
        assert len(owners) == 1
        winner = owners.pop()
        assert sum(c.owner == winner for c in claims) == 1
        stored = await storage.playlist_writes.get(a, "req-1")
        assert stored is not None and stored.owner == winner
