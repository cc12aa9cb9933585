"""The listening and feedback contract, run on every backend through the `storage` fixture."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from echotune.listening.models import Feedback, Play, UserTrackStats
from echotune.listening.play_batch import PlayBatch, iso_ms
from echotune.storage.base import Storage

T0 = datetime(2024, 3, 1, 12, 0, 0, tzinfo=UTC)


def play(user_id: str, track_id: str, minute: int, **fields: object) -> Play:
    base: dict[str, object] = {
        "user_id": user_id,
        "track_id": track_id,
        "played_at": T0 + timedelta(minutes=minute),
        "ms_played": 200_000,
    }
    base.update(fields)
    return Play.model_validate(base)


async def users(storage: Storage, *names: str) -> list[str]:
    return [(await storage.users.get_or_create(n))[0].id for n in names]


async def all_stats(storage: Storage, batch_size: int = 50_000) -> list[UserTrackStats]:
    return [s async for batch in storage.listening.iter_user_track_stats(batch_size) for s in batch]


class TestListeningContract:
    async def test_add_many_is_idempotent_per_user_track_and_time(self, storage: Storage) -> None:
        (a,) = await users(storage, "alice")
        first = [play(a, "t1", 0), play(a, "t2", 0), play(a, "t1", 1)]
        assert await storage.listening.add_many(first) == 3
        assert await storage.listening.add_many(first) == 0
        again = [play(a, "t1", 0, ms_played=5), play(a, "t3", 2), play(a, "t3", 2)]
        assert await storage.listening.add_many(again) == 1
        assert await storage.listening.count(a) == 4
        stored = await storage.listening.page(a, None, 10)
        # The first copy stays: a later one with other values changes nothing.
        kept = next(p for p in stored if p.track_id == "t1" and p.played_at == T0)
        assert kept.ms_played == 200_000
        assert await storage.listening.add_many([]) == 0

    async def test_round_trip_keeps_every_field_to_the_millisecond(self, storage: Storage) -> None:
        (a,) = await users(storage, "alice")
        at = datetime(2024, 5, 1, 23, 59, 59, 987654, tzinfo=UTC)
        full = play(
            a,
            "t1",
            0,
            played_at=at,
            ms_played=0,
            skipped=True,
            context="clickrow",
            source="import",
            genre="rock",
        )
        bare = play(a, "t2", 0, played_at=at.replace(tzinfo=None) - timedelta(days=1))
        await storage.listening.add_many([full, bare])
        got = await storage.listening.page(a, None, 10)
        assert got == [
            full.model_copy(update={"played_at": at.replace(microsecond=987000)}),
            bare.model_copy(update={"played_at": datetime(2024, 4, 30, 23, 59, 59, 987000, UTC)}),
        ]

    async def test_page_is_newest_first_strictly_before_and_per_user(
        self, storage: Storage
    ) -> None:
        a, b = await users(storage, "alice", "bob")
        await storage.listening.add_many(
            [play(a, f"t{m}", m) for m in range(5)] + [play(a, "x", 2), play(b, "t9", 9)]
        )
        newest = await storage.listening.page(a, None, 3)
        assert [(p.track_id, p.played_at) for p in newest] == [
            ("t4", T0 + timedelta(minutes=4)),
            ("t3", T0 + timedelta(minutes=3)),
            ("x", T0 + timedelta(minutes=2)),  # ties on time: track id descending
        ]
        older = await storage.listening.page(a, newest[-1].played_at, 10)
        assert [p.track_id for p in older] == ["t1", "t0"]
        assert await storage.listening.page(a, T0, 10) == []
        assert await storage.listening.page(a, None, 0) == []
        assert [p.user_id for p in await storage.listening.page(b, None, 10)] == [b]
        assert await storage.listening.page("nobody", None, 10) == []

    async def test_count_per_user_and_in_all(self, storage: Storage) -> None:
        a, b = await users(storage, "alice", "bob")
        assert await storage.listening.count() == 0
        await storage.listening.add_many([play(a, "t1", 0), play(a, "t2", 0), play(b, "t1", 0)])
        assert (await storage.listening.count(a), await storage.listening.count(b)) == (2, 1)
        assert await storage.listening.count() == 3
        assert await storage.listening.count("nobody") == 0

    async def test_commit_stage_moves_an_import_in_counting_new_plays(
        self, storage: Storage
    ) -> None:
        (a,) = await users(storage, "alice")
        await storage.listening.add_many([play(a, "t1", 0)])
        await storage.listening.stage("imp", [play(a, "t1", 0), play(a, "t2", 1)])
        await storage.listening.stage("imp", [play(a, "t2", 1, ms_played=1), play(a, "t3", 2)])
        assert await storage.listening.count(a) == 1  # staged plays are not visible
        assert await storage.listening.commit_stage("imp") == 2
        got = await storage.listening.page(a, None, 10)
        assert [p.track_id for p in got] == ["t3", "t2", "t1"]
        assert got[1].ms_played == 200_000  # the first staged copy wins
        # Committed once: the stage is empty afterwards.
        assert await storage.listening.commit_stage("imp") == 0
        await storage.listening.stage("again", [play(a, "t1", 0), play(a, "t3", 2)])
        assert await storage.listening.commit_stage("again") == 0

    async def test_drop_stage_forgets_only_that_import(self, storage: Storage) -> None:
        (a,) = await users(storage, "alice")
        await storage.listening.stage("bad", [play(a, "t1", 0), play(a, "t2", 1)])
        await storage.listening.stage("good", [play(a, "t1", 0), play(a, "t3", 2)])
        await storage.listening.drop_stage("bad")
        await storage.listening.drop_stage("never-staged")
        assert await storage.listening.commit_stage("bad") == 0
        assert await storage.listening.commit_stage("good") == 2
        assert sorted(p.track_id for p in await storage.listening.page(a, None, 10)) == ["t1", "t3"]

    async def test_a_play_batch_stores_what_its_plays_say(self, storage: Storage) -> None:
        a, b = await users(storage, "alice", "bob")
        times = [T0, T0 + timedelta(seconds=1), T0]
        batch = PlayBatch(
            user_id=a,
            source="import",
            track_ids=["t1", "t2", "t1"],
            played_at=[iso_ms(t) for t in times],
            ms_played=[1000, 200_000, 5],
            skipped=[True, False, True],
            contexts=["fwdbtn", None, "x"],
            genres=[None, "pop", None],
        )
        assert list(batch)[1] == Play(
            user_id=a,
            track_id="t2",
            played_at=times[1],
            ms_played=200_000,
            source="import",
            genre="pop",
        )
        assert await storage.listening.add_many(batch) == 2
        await storage.listening.stage("imp", replace(batch, user_id=b))
        assert await storage.listening.commit_stage("imp") == 2
        assert await storage.listening.page(a, None, 10) == [batch[1], batch[0]]

    async def test_stats_aggregate_each_user_track_in_order(self, storage: Storage) -> None:
        a, b = sorted(await users(storage, "alice", "bob"))
        await storage.listening.add_many(
            [
                play(b, "t2", 0, ms_played=1000, skipped=True),
                play(a, "t9", 5, ms_played=300),
                play(b, "t2", 7, ms_played=2000),
                play(b, "t1", 3, ms_played=10, skipped=True),
                play(a, "t10", 1, ms_played=40, skipped=True),
                play(b, "t2", 4, ms_played=4000, skipped=True),
            ]
        )
        expected = [
            UserTrackStats(
                user_id=a,
                track_id="t10",
                plays=1,
                skips=1,
                ms_played=40,
                last_played=T0 + timedelta(minutes=1),
            ),
            UserTrackStats(
                user_id=a,
                track_id="t9",
                plays=1,
                skips=0,
                ms_played=300,
                last_played=T0 + timedelta(minutes=5),
            ),
            UserTrackStats(
                user_id=b,
                track_id="t1",
                plays=1,
                skips=1,
                ms_played=10,
                last_played=T0 + timedelta(minutes=3),
            ),
            UserTrackStats(
                user_id=b,
                track_id="t2",
                plays=3,
                skips=2,
                ms_played=7000,
                last_played=T0 + timedelta(minutes=7),
            ),
        ]
        assert await all_stats(storage) == expected
        batches = [b async for b in storage.listening.iter_user_track_stats(batch_size=3)]
        assert [len(b) for b in batches] == [3, 1]
        assert [s for b in batches for s in b] == expected

    async def test_stats_of_nothing_and_bad_batch_size(self, storage: Storage) -> None:
        await users(storage, "alice")
        assert await all_stats(storage) == []
        with pytest.raises(ValueError):
            await all_stats(storage, batch_size=0)


class TestFeedbackContract:
    async def test_log_is_append_only_and_listed_newest_first(self, storage: Storage) -> None:
        a, b = await users(storage, "alice", "bob")
        at = T0.replace(microsecond=123456)
        events = [
            Feedback(user_id=a, track_id="t1", kind="like", at=at),
            Feedback(user_id=a, track_id="t1", kind="dislike", at=at + timedelta(hours=1)),
            Feedback(user_id=b, track_id="t1", kind="save", at=at),
            Feedback(user_id=a, track_id="t2", kind="skip", at=at),  # same time, added later
            Feedback(user_id=a, track_id="t1", kind="like", at=at),  # repeated: kept too
        ]
        for event in events:
            await storage.feedback.add(event)
        ms = at.replace(microsecond=123000)
        mine = await storage.feedback.list_for(a)
        assert [(f.track_id, f.kind) for f in mine] == [
            ("t1", "dislike"),
            ("t1", "like"),
            ("t2", "skip"),
            ("t1", "like"),
        ]
        assert mine[-1] == events[0].model_copy(update={"at": ms})
        assert [f.kind for f in await storage.feedback.list_for(a, limit=2)] == ["dislike", "like"]
        assert [f.kind for f in await storage.feedback.list_for(b)] == ["save"]
        assert await storage.feedback.list_for("nobody") == []
        assert await storage.feedback.list_for(a, limit=0) == []
