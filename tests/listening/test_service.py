"""HistoryService on every backend: plays, history pages, feedback, the import hook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from structlog.testing import capture_logs

from echotune.errors import InvalidInput, NotFound
from echotune.listening.models import Play
from echotune.listening.service import HistoryService, cut_page
from echotune.listening.views import NewFeedback, NewPlay
from echotune.storage.base import Storage
from echotune.users.models import User
from tests.listening.conftest import AUDIO_2022, files
from tests.storage.samples import track

ID = "6f807x0ima9a1j3VPbc7VN"
OTHER = "0r7CVbZTWZgbTCYdfa2P31"
T0 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
URL = "http://test/api/v1/me/history"


@pytest.fixture
async def service(storage: Storage) -> HistoryService:
    await storage.tracks.upsert_many([track(ID, genre="pop"), track(OTHER, name="Other")])
    return HistoryService(storage.listening, storage.feedback, storage.tracks)


async def make_user(storage: Storage, name: str) -> User:
    return (await storage.users.get_or_create(name))[0]


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


async def test_record_play_stores_once_and_works_out_the_skip(
    service: HistoryService, storage: Storage
) -> None:
    alice = await make_user(storage, "alice")
    new = NewPlay(track_id=ID, played_at=at(0).replace(microsecond=456789), ms_played=29_999)
    view, created = await service.record_play(alice, new)
    assert created and view.skipped and view.track_name == f"Song {ID}"
    assert view.played_at == at(0).replace(microsecond=456000) and view.source == "api"
    again, created_again = await service.record_play(alice, new.model_copy(update={"ms_played": 5}))
    assert not created_again and again.ms_played == 29_999  # what was stored, not the repeat
    (stored,) = await storage.listening.page(alice.id, None, 10)
    assert stored.genre == "pop" and stored.skipped
    full, _ = await service.record_play(alice, NewPlay(track_id=OTHER, ms_played=30_000))
    assert not full.skipped and datetime.now(UTC) - full.played_at < timedelta(minutes=1)


async def test_record_play_refuses_unknown_bad_and_future(
    service: HistoryService, storage: Storage
) -> None:
    alice = await make_user(storage, "alice")
    with pytest.raises(NotFound, match="not in the catalog"):
        await service.record_play(alice, NewPlay(track_id="0" * 22, ms_played=1))
    with pytest.raises(InvalidInput):
        await service.record_play(alice, NewPlay(track_id="nope", ms_played=1))
    future = datetime.now(UTC) + timedelta(hours=1)
    with pytest.raises(InvalidInput, match="future"):
        await service.record_play(alice, NewPlay(track_id=ID, played_at=future, ms_played=1))
    assert await storage.listening.count() == 0


async def test_history_pages_newest_first_with_names_and_next_links(
    service: HistoryService, storage: Storage
) -> None:
    alice = await make_user(storage, "alice")
    for minute in range(5):
        await service.record_play(alice, NewPlay(track_id=ID, played_at=at(minute), ms_played=1))
    first = await service.history(alice, None, 2, URL)
    assert [i.played_at for i in first.items] == [at(4), at(3)]
    assert first.items[0].artist_name == "The Artist"
    assert first.next == f"{URL}?limit=2&before=2024-06-01T12%3A03%3A00.000%2B00%3A00"
    second = await service.history(alice, at(3), 2, URL)
    last = await service.history(alice, at(1), 2, URL)
    assert [i.played_at for i in second.items + last.items] == [at(2), at(1), at(0)]
    assert last.next is None


def _plays(*minutes: float) -> list[Play]:
    return [
        Play(user_id="u", track_id=f"t{i}", played_at=at(m), ms_played=1)
        for i, m in enumerate(minutes)
    ]


def test_a_page_never_splits_plays_of_one_millisecond() -> None:
    assert cut_page(_plays(5, 4), 3) == (_plays(5, 4), None)
    assert cut_page(_plays(5, 4, 3), 2) == (_plays(5, 4), at(4))
    # The run at minute 3 moves whole to the next page, which starts just after it.
    page, before = cut_page(_plays(5, 3, 3, 3), 3)
    assert page == _plays(5) and before == at(3) + timedelta(milliseconds=1)
    # Unless it fills the page by itself: then the rest of the run is given up.
    page, before = cut_page(_plays(3, 3, 3), 2)
    assert page == _plays(3, 3) and before == at(3)


async def test_feedback_is_stored_and_listed_newest_first(
    service: HistoryService, storage: Storage
) -> None:
    alice, bob = await make_user(storage, "alice"), await make_user(storage, "bob")
    liked = await service.add_feedback(alice, NewFeedback(track_id=ID, kind="like"))
    await service.add_feedback(alice, NewFeedback(track_id=OTHER, kind="save"))
    await service.add_feedback(bob, NewFeedback(track_id=ID, kind="dislike"))
    assert liked.kind == "like" and (await storage.feedback.list_for(alice.id))[-1].kind == "like"
    mine = await service.feedback(alice, 10)
    assert [(f.track_id, f.kind) for f in mine.items] == [(OTHER, "save"), (ID, "like")]
    with pytest.raises(NotFound):
        await service.add_feedback(alice, NewFeedback(track_id="0" * 22, kind="skip"))


async def test_the_import_hook_runs_after_new_plays_only(storage: Storage) -> None:
    alice = await make_user(storage, "alice")
    calls: list[str] = []

    async def retrain(user_id: str) -> None:
        calls.append(user_id)

    service = HistoryService(
        storage.listening, storage.feedback, storage.tracks, on_imported=retrain
    )
    await service.import_files(alice.id, files(AUDIO_2022))
    await service.import_files(alice.id, files(AUDIO_2022))  # nothing new: no retrain
    assert calls == [alice.id]


async def test_a_failing_hook_is_logged_and_the_report_kept(storage: Storage) -> None:
    alice = await make_user(storage, "alice")

    async def broken(user_id: str) -> None:
        raise RuntimeError("trainer down")

    service = HistoryService(
        storage.listening, storage.feedback, storage.tracks, on_imported=broken
    )
    with capture_logs() as logs:
        report = await service.import_files(alice.id, files(AUDIO_2022))
    assert report.plays_new == 34
    assert [e["event"] for e in logs] == ["history.on_imported_failed"]
