"""import_catalog_csv against the real storage backends (SQLite and MongoDB)."""

from __future__ import annotations

import asyncio
import gzip
import lzma
from collections.abc import Sequence
from pathlib import Path

import pytest

from echotune.catalog.csv_import import ImportReport, SkippedRow, import_catalog_csv
from echotune.catalog.models import Track, UpsertResult
from echotune.errors import InvalidInput, StorageError
from echotune.storage.base import Storage, TrackRepo
from tests.catalog.conftest import DUPLICATED_ID, csv_text, sample_rows


def counts(report: ImportReport) -> tuple[int, int, int, int, int, int]:
    return (
        report.rows_read,
        report.inserted,
        report.updated,
        report.unchanged,
        report.duplicates,
        report.skipped,
    )


async def test_imports_every_distinct_track(storage: Storage, sample_csv: Path) -> None:
    report = await import_catalog_csv(sample_csv, storage.tracks)
    assert counts(report) == (11, 10, 0, 0, 1, 0)
    assert report.skipped_rows == []
    assert await storage.tracks.count() == 10
    _, rows = sample_rows()
    ids = list(dict.fromkeys(r[0] for r in rows))
    assert [t.id for t in await storage.tracks.get_many(ids)] == ids


async def test_second_import_changes_nothing(storage: Storage, sample_csv: Path) -> None:
    await import_catalog_csv(sample_csv, storage.tracks)
    again = await import_catalog_csv(sample_csv, storage.tracks)
    assert counts(again) == (11, 0, 0, 10, 1, 0)


@pytest.mark.parametrize("batch_size", [1, 3, 11, 2000])
async def test_first_occurrence_wins_whatever_the_batching(
    storage: Storage, sample_csv: Path, batch_size: int
) -> None:
    first = await import_catalog_csv(sample_csv, storage.tracks, batch_size=batch_size)
    assert (first.inserted, first.duplicates) == (10, 1)
    [track] = await storage.tracks.get_many([DUPLICATED_ID])
    assert (track.genre, track.subgenre) == ("pop", "dance pop")
    # Another batching on the re-run still writes nothing.
    again = await import_catalog_csv(sample_csv, storage.tracks, batch_size=7)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 10)


async def test_a_changed_value_is_an_update(
    storage: Storage, sample_csv: Path, tmp_path: Path
) -> None:
    await import_catalog_csv(sample_csv, storage.tracks)
    header, rows = sample_rows()
    rows[3][header.index("track_popularity")] = "99"
    rows[3][header.index("energy")] = "0.5"
    changed = tmp_path / "changed.csv"
    changed.write_text(csv_text(header, rows), encoding="utf-8")
    report = await import_catalog_csv(changed, storage.tracks)
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 9)
    [track] = await storage.tracks.get_many([rows[3][0]])
    assert track.popularity == 99
    assert track.features is not None and track.features.energy == 0.5


async def test_malformed_rows_are_skipped_with_the_line_they_start_on(
    storage: Storage, tmp_path: Path
) -> None:
    header, rows = sample_rows()
    good, multi, last = rows[0], list(rows[1]), rows[2]
    multi[header.index("track_name")] = "Memories\n(two lines)"
    bad_energy = set_value(header, rows[3], "energy", "high")
    bad_id = set_value(header, rows[4], "track_id", "not-an-id")
    bad_key = set_value(header, rows[5], "key", "12")
    text = csv_text(header, [good, bad_energy, multi, bad_id, rows[6][:5]])
    text += "\n" + csv_text(header, [bad_key, last]).split("\n", 1)[1]
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    # Lines: 1 header, 2 good, 3 bad energy, 4-5 two-line name, 6 bad id,
    # 7 short row, 8 blank, 9 bad key, 10 good.
    report = await import_catalog_csv(path, storage.tracks, batch_size=2)
    assert report.skipped_rows == [
        SkippedRow(line=3, reason="energy: not a number: 'high'"),
        SkippedRow(line=6, reason="track_id: not a 22-character base62 id: 'not-an-id'"),
        SkippedRow(line=7, reason="expected 23 fields, found 5"),
        SkippedRow(line=9, reason="key: input should be less than or equal to 11: '12'"),
    ]
    assert counts(report) == (7, 3, 0, 0, 0, 4)
    stored = await storage.tracks.get_many([r[0] for r in rows[:7]])
    assert [t.name for t in stored] == [good[1], "Memories\n(two lines)", last[1]]


def set_value(header: list[str], row: list[str], column: str, value: str) -> list[str]:
    out = list(row)
    out[header.index(column)] = value
    return out


async def test_skipped_list_is_capped_but_counted(storage: Storage, tmp_path: Path) -> None:
    header, rows = sample_rows()
    bad = set_value(header, rows[0], "tempo", "fast")
    path = tmp_path / "many-bad.csv"
    path.write_text(csv_text(header, [bad] * 1005 + [rows[1]]), encoding="utf-8")
    report = await import_catalog_csv(path, storage.tracks, batch_size=100)
    assert (report.skipped, len(report.skipped_rows), report.inserted) == (1005, 1000, 1)
    assert report.skipped_rows[-1].line == 1001


async def test_bad_header_raises_and_writes_nothing(storage: Storage, tmp_path: Path) -> None:
    header, rows = sample_rows()
    drop = {header.index("energy"), header.index("tempo")}
    cut = [[v for i, v in enumerate(r) if i not in drop] for r in [header, *rows]]
    path = tmp_path / "no-energy.csv"
    path.write_text(csv_text(cut[0], cut[1:]), encoding="utf-8")
    with pytest.raises(InvalidInput, match="missing required columns: energy, tempo"):
        await import_catalog_csv(path, storage.tracks)
    assert await storage.tracks.count() == 0


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xff\xfe not utf-8\n"])
async def test_unreadable_files_are_invalid_input(
    storage: Storage, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInput):
        await import_catalog_csv(path, storage.tracks)
    assert await storage.tracks.count() == 0


class PoisonedSecondBatch:
    """The real repo; the second batch's last track carries a name no backend
    can encode (a lone surrogate, which UTF-8 cannot hold), so the backend
    fails in the middle of writing that batch."""

    def __init__(self, inner: TrackRepo) -> None:
        self.inner = inner
        self.batches: list[list[str]] = []

    async def upsert_many(self, tracks: Sequence[Track]) -> UpsertResult:
        batch = list(tracks)
        self.batches.append([t.id for t in batch])
        if len(self.batches) == 2:
            batch[-1] = batch[-1].model_copy(update={"name": "\ud800"})
        return await self.inner.upsert_many(batch)


async def test_a_failing_batch_leaves_nothing_of_itself(storage: Storage, sample_csv: Path) -> None:
    if not getattr(storage, "atomic_batches", True):
        pytest.skip("this MongoDB server has no transactions, so batches are not atomic")
    poisoned = PoisonedSecondBatch(storage.tracks)
    with pytest.raises((StorageError, UnicodeEncodeError)):
        # The wrapper has only the one method the importer calls.
        await import_catalog_csv(sample_csv, poisoned, batch_size=4)  # type: ignore[arg-type]
    first, second = poisoned.batches
    assert await storage.tracks.count() == 4
    assert [t.id for t in await storage.tracks.get_many(first)] == first
    assert await storage.tracks.get_many(second) == []
    # The import is resumable: running it again completes it.
    report = await import_catalog_csv(sample_csv, storage.tracks, batch_size=4)
    assert (report.inserted, report.unchanged) == (6, 4)


@pytest.mark.parametrize("compress", [gzip.compress, lzma.compress])
async def test_compressed_input_reads_like_plain(
    storage: Storage, sample_csv: Path, tmp_path: Path, compress: object
) -> None:
    assert callable(compress)
    packed = tmp_path / "sample.csv.packed"  # detected by content, not by name
    packed.write_bytes(compress(sample_csv.read_bytes()))
    seen: list[int] = []
    report = await import_catalog_csv(packed, storage.tracks, batch_size=3, progress=seen.append)
    assert counts(report) == (11, 10, 0, 0, 1, 0)
    assert seen == sorted(seen) and seen[-1] == packed.stat().st_size


async def test_progress_reports_bytes_of_the_file(storage: Storage, sample_csv: Path) -> None:
    seen: list[int] = []
    await import_catalog_csv(sample_csv, storage.tracks, batch_size=2, progress=seen.append)
    assert len(seen) == 6 and seen[-1] == sample_csv.stat().st_size


async def test_byte_order_mark_and_padded_header_names(storage: Storage, tmp_path: Path) -> None:
    header, rows = sample_rows()
    path = tmp_path / "excel.csv"
    text = csv_text([f" {h}" for h in header], rows[:2])
    path.write_text(text, encoding="utf-8-sig")
    report = await import_catalog_csv(path, storage.tracks)
    assert report.inserted == 2


async def test_cancelling_keeps_whole_batches_and_a_rerun_finishes(
    storage: Storage, sample_csv: Path
) -> None:
    errors: list[dict[str, object]] = []
    asyncio.get_running_loop().set_exception_handler(lambda _loop, ctx: errors.append(ctx))
    first_batch_done = asyncio.Event()
    task = asyncio.create_task(
        import_catalog_csv(
            sample_csv, storage.tracks, batch_size=2, progress=lambda _: first_batch_done.set()
        )
    )
    await first_batch_done.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await storage.tracks.count() == 2
    report = await import_catalog_csv(sample_csv, storage.tracks)
    assert (report.inserted, report.unchanged) == (8, 2)
    assert errors == []
