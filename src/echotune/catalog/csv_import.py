"""Import a catalog CSV (plain, .gz or .xz) into a `TrackRepo`, streaming.

Memory stays flat whatever the file size: records are read one at a time,
validated into `Track`s (`csv_rows`), and written `batch_size` at a time with
`upsert_many`, which is atomic per batch. A failure (storage error, unreadable
bytes) leaves every earlier batch written and nothing of the failing one;
running the import again finishes the job, since it is idempotent.

Rules:
- A header without the required columns raises `InvalidInput` naming them,
  before anything is written.
- A malformed row is skipped and reported with the physical line it starts on
  (the header is line 1) and the reason.
- A track id that appears again (the same track in several playlists) keeps
  its first valid occurrence in file order; later copies are counted as
  `duplicates` and ignored. Batches are written in file order, so a re-run
  writes exactly the same values: inserted 0, updated 0.
- `progress`, when given, is called after each batch with the number of
  bytes of the file on disk read so far (compressed bytes for .gz/.xz).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import ClassVar, TypeVar

from pydantic import BaseModel, Field

from echotune.catalog.csv_rows import CsvLayout, RowError, parse_row
from echotune.catalog.csv_seen import SeenIds
from echotune.catalog.csv_source import CsvSource
from echotune.catalog.models import Track, UpsertResult
from echotune.storage.base import TrackRepo

T = TypeVar("T")


class SkippedRow(BaseModel):
    line: int
    reason: str


class ImportReport(BaseModel):
    """What one import did. `skipped_rows` keeps the first `MAX_KEPT`; `skipped` counts all."""

    MAX_KEPT: ClassVar[int] = 1000

    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    skipped: int = 0
    skipped_rows: list[SkippedRow] = Field(default_factory=list)

    def add_upsert(self, result: UpsertResult) -> None:
        self.inserted += result.inserted
        self.updated += result.updated
        self.unchanged += result.unchanged

    def add_skipped(self, rows: list[SkippedRow]) -> None:
        self.skipped += len(rows)
        room = self.MAX_KEPT - len(self.skipped_rows)
        self.skipped_rows.extend(rows[: max(room, 0)])


@dataclass
class _Batch:
    tracks: list[Track] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    rows: int = 0
    duplicates: int = 0
    last: bool = False


def _read_batch(
    records: Iterator[tuple[int, list[str]]], layout: CsvLayout, seen: SeenIds, size: int
) -> _Batch:
    """The next `size` records, validated, with ids taken earlier dropped.

    Runs in a worker thread: parsing and validating a batch is CPU work that
    would otherwise stall the event loop (the server imports at startup).
    """
    batch = _Batch()
    first: dict[str, Track] = {}
    for line, fields in records:
        batch.rows += 1
        try:
            track = parse_row(layout, fields)
        except RowError as exc:
            batch.skipped.append(SkippedRow(line=line, reason=exc.reason))
        else:
            first.setdefault(track.id, track)
        if batch.rows == size:
            break
    else:
        batch.last = True
    new = seen.take_new(list(first))
    batch.tracks = [t for t in first.values() if t.id in new]
    batch.duplicates = batch.rows - len(batch.skipped) - len(batch.tracks)
    return batch


async def _in_thread(fn: Callable[[], T]) -> T:
    """`fn()` on a worker thread. If the caller is cancelled, wait for `fn` to
    finish before re-raising, so the file and the seen-set it uses are not
    closed under it (a batch takes a fraction of a second)."""
    future = asyncio.get_running_loop().run_in_executor(None, fn)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        await asyncio.wait([future])
        if not future.cancelled():
            future.exception()  # retrieved, so asyncio does not log it: the cancel wins
        raise


async def import_catalog_csv(
    path: Path,
    tracks: TrackRepo,
    *,
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Upsert every valid track of the CSV at `path` into `tracks`; see the module rules."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    report = ImportReport()
    with CsvSource(path) as source, SeenIds() as seen:
        layout = CsvLayout(source.header())
        records = source.records()
        while True:
            batch = await _in_thread(partial(_read_batch, records, layout, seen, batch_size))
            report.rows_read += batch.rows
            report.duplicates += batch.duplicates
            report.add_skipped(batch.skipped)
            if batch.tracks:
                report.add_upsert(await tracks.upsert_many(batch.tracks))
            if progress is not None:
                progress(source.bytes_read())
            if batch.last:
                return report
