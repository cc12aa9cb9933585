"""History import on every backend: the real export sample, the legacy format, corrupt files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from echotune.catalog.artist_ids import artist_id_for
from echotune.errors import StorageError
from echotune.listening.history_import import HistoryFile, HistoryImporter
from echotune.listening.import_report import HistoryImportReport, SkippedRecords
from echotune.listening.models import Play
from echotune.storage.base import ListeningRepo, Storage
from tests.listening.conftest import AUDIO_2022, AUDIO_2023, SAMPLE, VIDEO_2023, files
from tests.listening.legacy import KNOWN_ID, SHORT_ID, SONG_ID, write_legacy
from tests.storage.samples import track

# Spotify's own id of the track played twice at 2022-12-14T07:45:20Z.
TWICE = "3HiobOOpSpMsi95WBKPBYk"


def track_ids(path: Path) -> set[str]:
    return {
        r["spotify_track_uri"][14:] for r in json.loads(path.read_text()) if r["spotify_track_uri"]
    }


async def all_plays(storage: Storage, user_id: str) -> list[Play]:
    return await storage.listening.page(user_id, None, 10_000)


async def test_the_real_sample_imports_with_every_count(
    storage: Storage, importer: HistoryImporter, user_id: str
) -> None:
    report = await importer.run(user_id, files(*SAMPLE))
    assert report == HistoryImportReport(
        files=4,
        files_imported=4,
        records_read=114,
        plays_new=90,
        duplicates=1,  # the play listed twice in the 2022 file
        skipped=SkippedRecords(podcast=10, video=13),
        tracks_added=79,
    )
    assert report.ok
    plays = await all_plays(storage, user_id)
    assert len(plays) == 90 == await storage.listening.count(user_id)
    # 79 of the 91 plays are skips (under 30 s or flagged); one of them is the duplicate.
    assert sum(p.skipped for p in plays) == 78
    assert {p.source for p in plays} == {"import"}


async def test_importing_the_same_files_again_adds_nothing(
    storage: Storage, importer: HistoryImporter, user_id: str
) -> None:
    await importer.run(user_id, files(*SAMPLE))
    again = await importer.run(user_id, files(*SAMPLE))
    assert (again.plays_new, again.duplicates, again.tracks_added) == (0, 91, 0)
    assert again.records_read == 114 and again.ok
    assert await storage.listening.count(user_id) == 90


async def test_plays_carry_time_skip_and_context(
    storage: Storage, importer: HistoryImporter, user_id: str
) -> None:
    await importer.run(user_id, files(AUDIO_2023))
    plays = {(p.track_id, p.played_at): p for p in await all_plays(storage, user_id)}
    records = [r for r in json.loads(AUDIO_2023.read_text()) if r["spotify_track_uri"]]
    for record in records:
        at = datetime.fromisoformat(record["ts"]).astimezone(UTC)
        play = plays[(record["spotify_track_uri"][14:], at)]
        assert play.ms_played == record["ms_played"]
        assert play.skipped == (record["ms_played"] < 30_000 or record["skipped"] is True)
        assert play.context == record["reason_start"]
    long_but_skipped = [r for r in records if r["ms_played"] >= 30_000 and r["skipped"]]
    assert long_but_skipped and len(plays) == 40


async def test_unknown_tracks_join_the_catalog_from_the_records(
    storage: Storage, importer: HistoryImporter, user_id: str
) -> None:
    # One track of the file is already in the catalog, with features and a genre.
    await storage.tracks.upsert_many([track(TWICE, genre="rock", name="Catalog name")])
    report = await importer.run(user_id, files(AUDIO_2022))
    assert report.tracks_added == 30
    (known,) = await storage.tracks.get_many([TWICE])
    assert known == track(TWICE, genre="rock", name="Catalog name")  # left as it was
    assert {p.genre for p in await all_plays(storage, user_id) if p.track_id == TWICE} == {"rock"}
    record = next(
        r for r in json.loads(AUDIO_2022.read_text()) if r["spotify_track_uri"][14:] != TWICE
    )
    (added,) = await storage.tracks.get_many([record["spotify_track_uri"][14:]])
    assert added.name == record["master_metadata_track_name"]
    assert added.artist_name == record["master_metadata_album_artist_name"]
    assert added.artist_id == artist_id_for(record["master_metadata_album_artist_name"])
    assert added.album_name == record["master_metadata_album_album_name"]
    assert added.features is None and added.genre is None


async def test_the_legacy_endsong_format(
    storage: Storage, importer: HistoryImporter, user_id: str, tmp_path: Path
) -> None:
    await storage.tracks.upsert_many([track(KNOWN_ID, genre="pop")])
    report = await importer.run(user_id, files(write_legacy(tmp_path)))
    assert report.model_dump(exclude={"ok"}) == {
        "files": 1,
        "files_imported": 1,
        "records_read": 5,
        "plays_new": 3,
        "duplicates": 0,
        "skipped": {"podcast": 1, "audiobook": 0, "video": 0, "no_track": 1},
        "tracks_added": 2,
        "failed": [],
    }
    plays = {p.track_id: p for p in await all_plays(storage, user_id)}
    assert plays[SHORT_ID].skipped and not plays[SONG_ID].skipped
    assert plays[KNOWN_ID].genre == "pop"
    assert plays[SONG_ID].played_at == datetime(2019, 11, 5, 14, 28, 2, tzinfo=UTC)


def _sample_text() -> str:
    return AUDIO_2023.read_text(encoding="utf-8")


def _records() -> list[dict[str, object]]:
    loaded: list[dict[str, object]] = json.loads(_sample_text())
    return loaded


def _without(field: str, index: int) -> str:
    records = _records()
    del records[index][field]
    return json.dumps(records, indent=2, ensure_ascii=False)


CORRUPT = {
    "truncated": (lambda: _sample_text()[:20_000], "truncated in the middle of a record", True),
    "bad json": (
        lambda: _sample_text().replace('"shuffle": false', '"shuffle": flase', 7),
        "invalid JSON",
        True,
    ),
    "not an array": (lambda: json.dumps({"ts": "x"}), "not a JSON array of records", False),
    "no ts": (lambda: _without("ts", 33), "a record has no 'ts'", True),
    "no ms_played": (lambda: _without("ms_played", 33), "a record has no 'ms_played'", True),
    "bad ts": (
        lambda: _sample_text().replace("2023-02-25T11:21:49Z", "2023-02-30T11:21:49Z"),
        "a record has an invalid 'ts'",
        True,
    ),
    "basic history": (
        lambda: json.dumps([{"endTime": "2019-02-10 14:13", "trackName": "x", "msPlayed": 1}]),
        "this is the basic StreamingHistory format",
        True,
    ),
}


@pytest.mark.parametrize("kind", list(CORRUPT))
async def test_a_corrupt_file_contributes_nothing_and_the_others_import(
    storage: Storage, user_id: str, tmp_path: Path, kind: str
) -> None:
    make, reason, has_record = CORRUPT[kind]
    bad = tmp_path / "Streaming_History_Audio_2023.json"
    bad.write_text(make(), encoding="utf-8")
    # Small batches and chunks: the bad record comes after plays were staged.
    importer = HistoryImporter(storage.listening, storage.tracks, batch_size=5, chunk_bytes=4096)
    report = await importer.run(user_id, files(AUDIO_2022, bad, VIDEO_2023))
    assert (report.files, report.files_imported, report.plays_new) == (3, 2, 34 + 16)
    assert report.records_read == 35 + 16 and not report.ok
    (failed,) = report.failed
    assert failed.file == bad.name and failed.reason.startswith(reason), failed.reason
    assert (failed.record_index is not None) == has_record
    assert failed.byte_offset is not None and 0 <= failed.byte_offset <= bad.stat().st_size
    assert report.tracks_added == len(track_ids(AUDIO_2022) | track_ids(VIDEO_2023)) == 46
    stored = {p.track_id for p in await all_plays(storage, user_id)}
    only_2023 = {str(r["spotify_track_uri"])[14:] for r in _records() if r["spotify_track_uri"]}
    only_2023 -= stored
    assert only_2023 and not await storage.tracks.get_many(sorted(only_2023))


async def test_a_bad_record_is_located_exactly(
    storage: Storage, user_id: str, tmp_path: Path
) -> None:
    text = _without("ms_played", 33)
    bad = tmp_path / "Streaming_History_Audio_2023.json"
    bad.write_text(text, encoding="utf-8")
    report = await HistoryImporter(storage.listening, storage.tracks).run(user_id, files(bad))
    (failed,) = report.failed
    assert failed.record_index == 33
    starts = [i for i in range(len(text)) if text.startswith("{\n    ", i)]
    assert failed.byte_offset == len(text[: starts[33]].encode("utf-8"))
    assert "record 33" in failed.describe() and await storage.listening.count() == 0


async def test_a_byte_that_is_not_utf8_rejects_the_file_even_in_a_field_not_read(
    storage: Storage, user_id: str, tmp_path: Path
) -> None:
    data = _sample_text().encode()
    starts = [i for i in range(len(data)) if data.startswith(b"{\n    ", i)]
    at = data.index(b'"android"', starts[21]) + 1  # record 21's platform
    bad = tmp_path / "Streaming_History_Audio_2023.json"
    bad.write_bytes(data[:at] + b"\xff" + data[at + 1 :])
    report = await HistoryImporter(storage.listening, storage.tracks).run(user_id, files(bad))
    (failed,) = report.failed
    assert failed.reason.startswith("not UTF-8 text")
    assert (failed.byte_offset, failed.record_index) == (at, 21)
    assert await storage.listening.count() == 0


async def test_json_that_only_the_standard_library_reads_imports_as_before(
    storage: Storage, importer: HistoryImporter, user_id: str, tmp_path: Path
) -> None:
    # NaN (a JSON extension json.loads accepts) and a lone surrogate escape:
    # the typed decoder refuses both, so these chunks take the plain path.
    text = _sample_text().replace('"offline_timestamp": 1677324078', '"offline_timestamp": NaN')
    text = text.replace('"platform": "android"', '"platform": "\\udc00"', 3)
    assert text != _sample_text()
    odd = tmp_path / "Streaming_History_Audio_2023.json"
    odd.write_text(text, encoding="utf-8")
    report = await importer.run(user_id, files(odd))
    expected = await importer.run(user_id, files(AUDIO_2023))
    assert report.ok and (report.records_read, report.plays_new) == (50, 40)
    assert (expected.records_read, expected.duplicates) == (50, 40)


async def test_an_unreadable_file_is_reported(
    storage: Storage, importer: HistoryImporter, user_id: str, tmp_path: Path
) -> None:
    gone = tmp_path / "endsong_1.json"
    gone.write_text("[]")
    source = HistoryFile.from_path(gone)
    gone.unlink()
    report = await importer.run(user_id, [source, *files(VIDEO_2023)])
    assert report.failed[0].reason.startswith("cannot read the file")
    assert report.plays_new == 16


async def test_batches_and_chunks_do_not_change_the_result(storage: Storage, user_id: str) -> None:
    tiny = HistoryImporter(storage.listening, storage.tracks, batch_size=3, chunk_bytes=700)
    report = await tiny.run(user_id, files(*SAMPLE))
    assert (report.plays_new, report.duplicates, report.tracks_added) == (90, 1, 79)
    assert report.skipped == SkippedRecords(podcast=10, video=13)


async def test_progress_counts_bytes_over_all_files(storage: Storage, user_id: str) -> None:
    seen: list[int] = []
    importer = HistoryImporter(storage.listening, storage.tracks, batch_size=10, chunk_bytes=2048)
    await importer.run(user_id, files(AUDIO_2022, AUDIO_2023), progress=seen.append)
    total = AUDIO_2022.stat().st_size + AUDIO_2023.stat().st_size
    assert seen == sorted(seen) and len(seen) > 2 and seen[-1] == total


class FailingCommit:
    """A ListeningRepo whose commit fails, remembering what it was asked to stage."""

    def __init__(self, inner: ListeningRepo) -> None:
        self.inner = inner
        self.staged: set[str] = set()

    async def stage(self, import_id: str, plays: Sequence[Play]) -> None:
        self.staged.add(import_id)
        await self.inner.stage(import_id, plays)

    async def commit_stage(self, import_id: str) -> int:
        raise StorageError("the disk is full")

    async def drop_stage(self, import_id: str) -> None:
        await self.inner.drop_stage(import_id)


async def test_a_storage_failure_leaves_nothing_staged(storage: Storage, user_id: str) -> None:
    failing = FailingCommit(storage.listening)
    importer = HistoryImporter(failing, storage.tracks, batch_size=5)  # type: ignore[arg-type]
    with pytest.raises(StorageError, match="disk is full"):
        await importer.run(user_id, files(AUDIO_2022))
    (import_id,) = failing.staged
    assert await storage.listening.commit_stage(import_id) == 0
    assert await storage.listening.count() == 0
