"""Sourced feedback (e.g. a Spotify sync's saves), on every backend through the
`storage` fixture: stored once per (user, track, kind, source), counted, removed
when it no longer holds, and never mixed up with the listener's own feedback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from echotune.listening.models import Feedback, FeedbackKind
from echotune.storage.base import Storage

T0 = datetime(2024, 3, 1, 12, 0, 0, tzinfo=UTC)


def fb(user_id: str, track_id: str, kind: FeedbackKind = "save", minute: int = 0) -> Feedback:
    return Feedback(
        user_id=user_id, track_id=track_id, kind=kind, at=T0 + timedelta(minutes=minute)
    )


async def users(storage: Storage, *names: str) -> list[str]:
    return [(await storage.users.get_or_create(n))[0].id for n in names]


def keys(events: list[Feedback]) -> list[tuple[str, str]]:
    return [(f.track_id, f.kind) for f in events]


class TestSourcedFeedbackContract:
    async def test_add_many_counts_new_entries_and_is_idempotent(self, storage: Storage) -> None:
        (a,) = await users(storage, "alice")
        batch = [fb(a, "t1", minute=3), fb(a, "t2", minute=2), fb(a, "t1", "like", minute=1)]
        assert await storage.feedback.add_many(batch, "spotify") == 3
        assert await storage.feedback.add_many(batch, "spotify") == 0
        # A known key with another time keeps its first copy; a repeat inside a batch counts once.
        again = [fb(a, "t1", minute=30), fb(a, "t3", minute=4), fb(a, "t3", minute=5)]
        assert await storage.feedback.add_many(again, "spotify") == 1
        assert await storage.feedback.count(a) == 4
        listed = await storage.feedback.list_for(a)
        assert keys(listed) == [("t3", "save"), ("t1", "save"), ("t2", "save"), ("t1", "like")]
        assert listed[1].at == T0 + timedelta(minutes=3)
        assert await storage.feedback.add_many([], "spotify") == 0

    async def test_the_rest_of_a_half_done_batch_adds_only_the_rest(self, storage: Storage) -> None:
        (a,) = await users(storage, "alice")
        batch = [fb(a, f"t{i}", minute=i) for i in range(10)]
        assert await storage.feedback.add_many(batch[:4], "spotify") == 4  # then a crash
        assert await storage.feedback.add_many(batch, "spotify") == 6
        assert await storage.feedback.count(a) == 10

    async def test_sources_and_users_are_kept_apart(self, storage: Storage) -> None:
        a, b = await users(storage, "alice", "bob")
        assert await storage.feedback.add_many([fb(a, "t1"), fb(b, "t1")], "spotify") == 2
        assert await storage.feedback.add_many([fb(a, "t1")], "lastfm") == 1
        assert (await storage.feedback.count(a), await storage.feedback.count(b)) == (2, 1)
        assert await storage.feedback.retain(a, "spotify", "save", []) == 1
        assert keys(await storage.feedback.list_for(b)) == [("t1", "save")]
        assert await storage.feedback.count(a) == 1  # lastfm's save of t1 stays
        assert await storage.feedback.count("nobody") == 0

    async def test_the_listeners_own_feedback_is_never_touched(self, storage: Storage) -> None:
        (a,) = await users(storage, "alice")
        own = [
            fb(a, "t1", "save", minute=1),
            fb(a, "t1", "save", minute=1),
            fb(a, "t2", "dislike", 9),
        ]
        for event in own:
            await storage.feedback.add(event)
        # The same (user, track, kind) from a source is its own entry, not a duplicate of mine.
        assert await storage.feedback.add_many([fb(a, "t1", "save", minute=5)], "spotify") == 1
        assert await storage.feedback.add_many([fb(a, "t1", "save", minute=5)], "spotify") == 0
        assert await storage.feedback.count(a) == 4
        # Removing every spotify save leaves both of my saves of t1 (a log keeps repeats).
        assert await storage.feedback.retain(a, "spotify", "save", []) == 1
        assert keys(await storage.feedback.list_for(a)) == [
            ("t2", "dislike"), ("t1", "save"), ("t1", "save"),
        ]  # fmt: skip
        # Adding from a source after my own events keeps them as they were.
        assert await storage.feedback.add_many([fb(a, "t2", "like", minute=2)], "spotify") == 1
        assert (await storage.feedback.list_for(a, limit=1))[0] == own[2]

    async def test_retain_removes_what_no_longer_holds(self, storage: Storage) -> None:
        (a,) = await users(storage, "alice")
        saves = [fb(a, f"t{i}", minute=i) for i in range(5)]
        await storage.feedback.add_many([*saves, fb(a, "t0", "like")], "spotify")
        assert await storage.feedback.retain(a, "spotify", "save", {"t1", "t3", "unknown"}) == 3
        assert sorted(keys(await storage.feedback.list_for(a))) == [
            ("t0", "like"), ("t1", "save"), ("t3", "save"),
        ]  # fmt: skip
        assert await storage.feedback.retain(a, "spotify", "save", {"t1", "t3"}) == 0
        # A removed entry can come back (the track saved again).
        assert await storage.feedback.add_many(saves, "spotify") == 3
        many = {f"x{i}" for i in range(5000)} | {"t2"}  # more than a statement's parameters
        assert await storage.feedback.retain(a, "spotify", "save", many) == 4

    async def test_a_source_must_be_named(self, storage: Storage) -> None:
        (a,) = await users(storage, "alice")
        with pytest.raises(ValueError):
            await storage.feedback.add_many([fb(a, "t1")], "")
        # `add` is the listener's own log: a sourced entry goes through add_many.
        with pytest.raises(ValueError, match="add_many"):
            await storage.feedback.add(fb(a, "t1").model_copy(update={"source": "spotify"}))
        assert await storage.feedback.count(a) == 0

    async def test_listed_entries_say_where_they_came_from(self, storage: Storage) -> None:
        (a,) = await users(storage, "alice")
        await storage.feedback.add(fb(a, "t1", "dislike", minute=1))
        await storage.feedback.add_many([fb(a, "t2", minute=2)], "spotify")
        listed = await storage.feedback.list_for(a)
        assert [(f.track_id, f.source) for f in listed] == [("t2", "spotify"), ("t1", None)]
