"""The storage contract: what every backend must do, written once.

A test module runs it by subclassing `StorageContract` in a class collected by
pytest; the `storage` fixture (tests/conftest.py) supplies each backend.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from echotune.catalog.models import Track, TrackQuery, UpsertResult
from echotune.errors import StorageError
from echotune.storage.base import Storage
from echotune.users.models import ApiToken
from tests.storage.samples import ids, load_search_catalog, track


class UpsertContract:
    async def test_insert_update_unchanged_counts(self, storage: Storage) -> None:
        first = await storage.tracks.upsert_many([track("a"), track("b"), track("c")])
        assert first == UpsertResult(inserted=3)
        second = await storage.tracks.upsert_many(
            [track("a"), track("b", popularity=90), track("d")]
        )
        assert second == UpsertResult(inserted=1, updated=1, unchanged=1)
        assert await storage.tracks.count() == 4
        assert (await storage.tracks.get_many(["b"]))[0].popularity == 90

    async def test_same_batch_twice_changes_nothing(self, storage: Storage) -> None:
        batch = [track("a"), track("b", features=None, album_id=None, release_date=None)]
        assert await storage.tracks.upsert_many(batch) == UpsertResult(inserted=2)
        assert await storage.tracks.upsert_many(batch) == UpsertResult(unchanged=2)
        assert await storage.tracks.get_many(["a", "b"]) == batch

    async def test_repeated_id_in_batch_counts_once_last_copy_wins(self, storage: Storage) -> None:
        batch = [track("a", name="old"), track("b"), track("a", name="new")]
        assert await storage.tracks.upsert_many(batch) == UpsertResult(inserted=2)
        assert (await storage.tracks.get_many(["a"]))[0].name == "new"

    async def test_empty_batch(self, storage: Storage) -> None:
        assert await storage.tracks.upsert_many([]) == UpsertResult()

    async def test_round_trip_keeps_every_field(self, storage: Storage) -> None:
        full = track("full", explicit=True, name="Ünïcode Ω", release_date="1999")
        bare = Track(id="bare", name="x", artist_id="y", artist_name="z")
        await storage.tracks.upsert_many([full, bare])
        assert await storage.tracks.get_many(["full", "bare"]) == [full, bare]

    async def test_failing_batch_leaves_nothing_written(self, storage: Storage) -> None:
        if not getattr(storage, "atomic_batches", True):
            pytest.skip("this MongoDB server has no transactions (not a replica set)")
        before = [track("a"), track("b")]
        await storage.tracks.upsert_many(before)
        # model_copy skips pydantic validation, so the out-of-range popularity
        # reaches the database, whose own constraint (SQLite CHECK, MongoDB
        # $jsonSchema validator) refuses it after the earlier writes were made.
        bad = track("c").model_copy(update={"popularity": 200})
        batch = [track("a", name="changed"), track("new1"), bad, track("new2")]
        with pytest.raises(StorageError):
            await storage.tracks.upsert_many(batch)
        assert await storage.tracks.count() == 2
        assert await storage.tracks.get_many(["a", "b", "new1", "c", "new2"]) == before


class ReadContract:
    async def test_get_many_keeps_order_and_skips_unknown(self, storage: Storage) -> None:
        await storage.tracks.upsert_many([track("a"), track("b"), track("c")])
        found = await storage.tracks.get_many(["c", "nope", "a", "b"])
        assert ids(found) == ["c", "a", "b"]
        assert await storage.tracks.get_many([]) == []

    async def test_count(self, storage: Storage) -> None:
        assert await storage.tracks.count() == 0
        await storage.tracks.upsert_many([track(f"t{i}") for i in range(7)])
        assert await storage.tracks.count() == 7

    async def test_iter_all_batches_in_id_order(self, storage: Storage) -> None:
        assert [b async for b in storage.tracks.iter_all()] == []
        await storage.tracks.upsert_many([track(i) for i in ["e", "a", "d", "b", "c"]])
        batches = [b async for b in storage.tracks.iter_all(batch_size=2)]
        assert [ids(b) for b in batches] == [["a", "b"], ["c", "d"], ["e"]]
        exact = [b async for b in storage.tracks.iter_all(batch_size=5)]
        assert [ids(b) for b in exact] == [["a", "b", "c", "d", "e"]]


class SearchContract:
    async def search(
        self, storage: Storage, limit: int = 50, offset: int = 0, **query: object
    ) -> tuple[list[str], int]:
        found, total = await storage.tracks.search(TrackQuery.model_validate(query), limit, offset)
        return ids(found), total

    async def test_words_match_name_or_artist_case_insensitively(self, storage: Storage) -> None:
        await load_search_catalog(storage)
        # Ties on popularity fall back to id order.
        assert await self.search(storage, words=("blue",)) == (["t1", "t2"], 2)
        assert await self.search(storage, words=("MONDAY", "order")) == (["t1"], 1)
        assert await self.search(storage, words=("lana", "velvet")) == (["t2"], 1)
        assert await self.search(storage, words=("BEYONCÉ",)) == (["t3"], 1)
        assert await self.search(storage, words=("blue", "nothing")) == ([], 0)

    async def test_words_are_literal_text(self, storage: Storage) -> None:
        await load_search_catalog(storage)
        assert await self.search(storage, words=("100%",)) == (["t4"], 1)
        assert await self.search(storage, words=("pure_love",)) == (["t4"], 1)
        assert await self.search(storage, words=("%",)) == (["t4"], 1)
        assert await self.search(storage, words=(".*",)) == ([], 0)

    async def test_field_filters(self, storage: Storage) -> None:
        await load_search_catalog(storage)
        assert await self.search(storage, artist="new order") == (["t1"], 1)
        assert await self.search(storage, track="monday") == (["t1", "t5"], 2)
        assert await self.search(storage, album="corruption & lies") == (["t1"], 1)
        assert await self.search(storage, genre="ROCK") == (["t1", "t5"], 2)
        # genre also matches the subgenre
        assert await self.search(storage, genre="new wave") == (["t1"], 1)
        assert await self.search(storage, words=("monday",), artist="mamas") == (["t5"], 1)

    async def test_year_range_on_release_date(self, storage: Storage) -> None:
        await load_search_catalog(storage)
        assert await self.search(storage, year_from=1990, year_to=2009) == (["t3", "t4"], 2)
        assert await self.search(storage, year_from=2008, year_to=2008) == (["t3"], 1)
        assert await self.search(storage, year_from=2010) == (["t2"], 1)
        assert await self.search(storage, year_to=1983) == (["t1"], 1)

    async def test_paging_and_total(self, storage: Storage) -> None:
        await load_search_catalog(storage)
        assert await self.search(storage) == (["t3", "t1", "t2", "t5", "t4"], 5)
        assert await self.search(storage, limit=2, offset=1) == (["t1", "t2"], 5)
        assert await self.search(storage, limit=2, offset=4) == (["t4"], 5)
        assert await self.search(storage, limit=2, offset=9) == ([], 5)
        assert await self.search(storage, limit=0) == ([], 5)


class ArtistContract:
    async def _two_artists(self, storage: Storage) -> None:
        await storage.tracks.upsert_many(
            [
                track("a1", artist_id="x", artist_name="Daft Punk", popularity=60, genre="house"),
                track("a2", artist_id="x", artist_name="Daft Punk", popularity=80, genre="electro"),
                track("a3", artist_id="x", artist_name="Daft Punk", popularity=10, genre=None),
                track("a4", artist_id="x", artist_name="Daft Punk", popularity=20, genre="house"),
                track("b1", artist_id="y", artist_name="Punk Daft", popularity=80, genre=None),
                track("c1", artist_id="z", artist_name="Other Band", popularity=99, genre="pop"),
            ]
        )

    async def test_get_aggregates_the_artist_tracks(self, storage: Storage) -> None:
        await self._two_artists(storage)
        artist = await storage.artists.get("x")
        assert artist is not None
        assert (artist.id, artist.name) == ("x", "Daft Punk")
        assert artist.genres == ["electro", "house"]
        assert (artist.popularity, artist.track_count) == (80, 4)
        lone = await storage.artists.get("y")
        assert lone is not None and lone.genres == [] and lone.track_count == 1
        assert await storage.artists.get("nobody") is None

    async def test_search_by_words_popularity_then_id(self, storage: Storage) -> None:
        await self._two_artists(storage)
        found, total = await storage.artists.search(["daft", "PUNK"], 10, 0)
        assert ([a.id for a in found], total) == (["x", "y"], 2)
        assert found[0].track_count == 4
        page, total = await storage.artists.search(["punk"], 1, 1)
        assert ([a.id for a in page], total) == (["y"], 2)
        everyone, total = await storage.artists.search([], 10, 0)
        assert ([a.id for a in everyone], total) == (["z", "x", "y"], 3)
        assert await storage.artists.search(["nobody"], 10, 0) == ([], 0)


class UserContract:
    async def test_get_or_create_is_unique_by_name(self, storage: Storage) -> None:
        alice, created = await storage.users.get_or_create("alice")
        assert created and alice.name == "alice"
        again, created_again = await storage.users.get_or_create("alice")
        assert again == alice and not created_again
        bob, _ = await storage.users.get_or_create("bob")
        assert bob.id != alice.id
        assert await storage.users.get(alice.id) == alice
        assert await storage.users.get_by_name("bob") == bob
        assert await storage.users.get("nope") is None
        assert await storage.users.get_by_name("carol") is None
        assert [u.name for u in await storage.users.list_all()] == ["alice", "bob"]

    async def test_tokens_add_find_list_revoke(self, storage: Storage) -> None:
        alice, _ = await storage.users.get_or_create("alice")
        bob, _ = await storage.users.get_or_create("bob")
        t0 = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
        tokens = [
            ApiToken(id="k2", user_id=alice.id, token_hash="h2", created_at=t0 + timedelta(1)),
            ApiToken(id="k1", user_id=alice.id, token_hash="h1", created_at=t0),
            ApiToken(id="k3", user_id=bob.id, token_hash="h3", created_at=t0 + timedelta(2)),
        ]
        for token in tokens:
            await storage.tokens.add(token)
        found = await storage.tokens.find_active("h1")
        # Timestamps are kept to the millisecond on every backend.
        assert found == tokens[1].model_copy(update={"created_at": t0.replace(microsecond=123000)})
        assert await storage.tokens.find_active("nope") is None
        assert [t.id for t in await storage.tokens.list_for(alice.id)] == ["k1", "k2"]
        assert [t.id for t in await storage.tokens.list_for()] == ["k1", "k2", "k3"]
        assert await storage.tokens.revoke("k1") is True
        assert await storage.tokens.revoke("k1") is False
        assert await storage.tokens.revoke("nope") is False
        assert await storage.tokens.find_active("h1") is None
        listed = {t.id: t for t in await storage.tokens.list_for(alice.id)}
        assert listed["k1"].revoked_at is not None and listed["k2"].revoked_at is None

    async def test_duplicate_token_hash_is_refused(self, storage: Storage) -> None:
        alice, _ = await storage.users.get_or_create("alice")
        now = datetime.now(UTC)
        await storage.tokens.add(
            ApiToken(id="k1", user_id=alice.id, token_hash="h", created_at=now)
        )
        with pytest.raises(StorageError):
            await storage.tokens.add(
                ApiToken(id="k2", user_id=alice.id, token_hash="h", created_at=now)
            )


class StatusContract:
    async def test_status_reports_a_healthy_backend(self, storage: Storage) -> None:
        status = await storage.status()
        assert status.backend in {"sqlite", "mongo"}
        assert status.reachable and status.indexes_present
        assert status.missing_indexes == [] and status.fallback is False

    async def test_closed_storage_refuses_with_storage_error(self, storage: Storage) -> None:
        await storage.close()
        with pytest.raises(StorageError):
            await storage.tracks.count()
        await storage.close()  # closing twice is harmless


class StorageContract(
    UpsertContract, ReadContract, SearchContract, ArtistContract, UserContract, StatusContract
):
    """Everything above; subclass it once per way of supplying `storage`."""
