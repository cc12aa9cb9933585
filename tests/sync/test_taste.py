"""TasteSink on every backend (the `storage` fixture): Spotify's saved tracks
become saves dated when they were saved, top tracks become likes, both with
source "spotify", once; an unsaved track's save goes; the listener's own
feedback stays as it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from echotune.listening.models import Feedback
from echotune.spotify.models import SavedTrack, SpotifyTrack
from echotune.storage.base import Storage
from echotune.sync.taste import SOURCE, TasteSink

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def sp_track(track_id: str) -> SpotifyTrack:
    return SpotifyTrack(id=track_id, name=f"Song {track_id}", uri=f"spotify:track:{track_id}",
                        duration_ms=200_000)  # fmt: skip


def saved(track_id: str, days_ago: int) -> SavedTrack:
    return SavedTrack(added_at=NOW - timedelta(days=days_ago), track=sp_track(track_id))


async def sink_for(storage: Storage, name: str) -> tuple[str, TasteSink]:
    user, _ = await storage.users.get_or_create(name)
    return user.id, TasteSink(storage.feedback, user.id, lambda: NOW)


async def test_saved_and_top_tracks_map_to_save_and_like(storage: Storage) -> None:
    user_id, sink = await sink_for(storage, "alice")
    assert SOURCE == "spotify"
    assert await sink.saved([saved("a", 30), saved("b", 2)]) == 2
    assert await sink.top([sp_track("b"), sp_track("c")]) == 2  # b: saved and top, two kinds
    got = {(f.track_id, f.kind, f.at) for f in await storage.feedback.list_for(user_id)}
    assert got == {
        ("a", "save", NOW - timedelta(days=30)),
        ("b", "save", NOW - timedelta(days=2)),
        ("b", "like", NOW),
        ("c", "like", NOW),
    }
    # Seen again (the next sync, another time range): nothing new.
    assert await sink.saved([saved("b", 2), saved("a", 30)]) == 0
    assert await sink.top([sp_track("c")]) == 0
    assert await storage.feedback.count(user_id) == 4


async def test_unsaved_drops_only_spotify_saves_of_that_user(storage: Storage) -> None:
    alice, sink = await sink_for(storage, "alice")
    bob, bob_sink = await sink_for(storage, "bob")
    mine = Feedback(user_id=alice, track_id="a", kind="save", at=NOW - timedelta(days=400))
    await storage.feedback.add(mine)
    await sink.saved([saved("a", 30), saved("b", 2)])
    await sink.top([sp_track("a")])
    await bob_sink.saved([saved("a", 1)])
    # "a" was unsaved on Spotify: its spotify save goes; my own save and the
    # top-track like of "a" stay, and so does bob's save.
    assert await sink.unsaved({"b"}) == 1
    left = {(f.track_id, f.kind, f.at) for f in await storage.feedback.list_for(alice)}
    assert left == {
        ("a", "save", mine.at),
        ("a", "like", NOW),
        ("b", "save", NOW - timedelta(days=2)),
    }
    assert await storage.feedback.count(bob) == 1
