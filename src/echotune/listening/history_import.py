"""Import Spotify streaming-history exports into one user's listening history.

Each file is streamed (constant memory: one chunk and one batch at a time),
its plays staged under an import id, and only when the whole file has been
read without error are its new tracks added to the catalog and its plays
committed. So:

- A corrupt file (bad JSON, truncated, not an array of records, a record
  without `ts` or `ms_played`) contributes nothing, and is reported with its
  name, the byte offset and the index of the record at fault. The other
  files are imported all the same.
- Importing the same files again adds nothing: every play is then counted
  as a duplicate. So is a play repeated within the files.
- Which records are plays, and what a play is, is `export_records`' business.

Parsing runs on a worker thread while the previous batch is being staged,
so the JSON decoding and the database writes use both cores.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from echotune.listening.catalog_links import CatalogLinks
from echotune.listening.export_records import PlayColumns, SkipKind
from echotune.listening.file_batches import FileBatches, FileRejected, in_thread
from echotune.listening.import_report import FailedFile, HistoryImportReport
from echotune.listening.json_array import CHUNK_BYTES
from echotune.listening.play_batch import PlayBatch
from echotune.storage.base import ListeningRepo, TrackRepo

IMPORT_SOURCE = "import"
# Bytes read so far, over all the files of the import.
ProgressFn = Callable[[int], None]


@dataclass(frozen=True)
class HistoryFile:
    """One export file. Its name tells audio from video (Streaming_History_Video_*)."""

    name: str
    open: Callable[[], AbstractContextManager[BinaryIO]]
    size: int | None = None

    @classmethod
    def from_path(cls, path: Path) -> HistoryFile:
        return cls(path.name, lambda: path.open("rb"), path.stat().st_size)

    @classmethod
    def from_stream(cls, name: str, stream: BinaryIO, size: int | None = None) -> HistoryFile:
        """A file already open (an upload); it is read but left open."""
        return cls(name, lambda: nullcontext(stream), size)


@dataclass
class _FileCounts:
    records: int = 0
    plays: int = 0
    kinds: Counter[SkipKind] = field(default_factory=Counter)

    def add(self, columns: PlayColumns) -> None:
        self.records += columns.records
        self.plays += len(columns.track_ids)
        self.kinds.update(columns.skipped_kinds)


class HistoryImporter:
    def __init__(
        self,
        listening: ListeningRepo,
        tracks: TrackRepo,
        *,
        batch_size: int = 5000,
        chunk_bytes: int = CHUNK_BYTES,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._listening = listening
        self._tracks = tracks
        self._batch_size = batch_size
        self._chunk_bytes = chunk_bytes

    async def run(
        self, user_id: str, files: Sequence[HistoryFile], progress: ProgressFn | None = None
    ) -> HistoryImportReport:
        """Import `files` in order for `user_id`; see the module rules."""
        report = HistoryImportReport(files=len(files))
        links = CatalogLinks(self._tracks)
        done = 0
        for file in files:

            def moved(n: int, before: int = done) -> None:
                if progress is not None:
                    progress(before + n)

            done += await self._one(user_id, file, links, report, moved)
        return report

    async def _one(
        self,
        user_id: str,
        file: HistoryFile,
        links: CatalogLinks,
        report: HistoryImportReport,
        progress: ProgressFn,
    ) -> int:
        """Import one file into `report`; returns its bytes read."""
        import_id = uuid.uuid4().hex
        try:
            try:
                with file.open() as stream:
                    counts, size = await self._stage(
                        import_id, user_id, file.name, stream, links, progress
                    )
            except (FileRejected, OSError) as exc:
                links.forget_new()
                await self._listening.drop_stage(import_id)
                report.failed.append(_failure(file.name, exc))
                return file.size or 0
            report.tracks_added += await links.add_new()
            new = await self._listening.commit_stage(import_id)
        except BaseException:
            # Storage failed or the import was cancelled: nothing staged may linger.
            links.forget_new()
            await self._listening.drop_stage(import_id)
            raise
        report.files_imported += 1
        report.records_read += counts.records
        report.plays_new += new
        report.duplicates += counts.plays - new
        report.skipped.add(counts.kinds)
        return size

    async def _stage(
        self,
        import_id: str,
        user_id: str,
        name: str,
        stream: BinaryIO,
        links: CatalogLinks,
        progress: ProgressFn,
    ) -> tuple[_FileCounts, int]:
        batches = FileBatches(stream, name, self._batch_size, self._chunk_bytes)
        counts = _FileCounts()
        staging: asyncio.Future[None] | None = None
        try:
            while True:
                # Parsed while the previous batch is still being written.
                batch = await in_thread(batches.next)
                columns = batch.columns
                await links.learn(columns.firsts)
                if staging is not None:
                    await staging
                    staging = None
                if columns.track_ids:
                    plays = _play_batch(user_id, columns, links)
                    staging = asyncio.ensure_future(self._listening.stage(import_id, plays))
                counts.add(columns)
                progress(batch.bytes_read)
                if batch.last:
                    break
            if staging is not None:
                await staging
                staging = None
        finally:
            if staging is not None:
                # Failing: let the write in flight end before the stage is dropped.
                await asyncio.wait([staging])
                if not staging.cancelled():
                    staging.exception()  # retrieved: the first error is the one raised
        return counts, batch.bytes_read


def _play_batch(user_id: str, columns: PlayColumns, links: CatalogLinks) -> PlayBatch:
    return PlayBatch(
        user_id=user_id,
        source=IMPORT_SOURCE,
        track_ids=columns.track_ids,
        played_at=columns.played_at,
        ms_played=columns.ms_played,
        skipped=columns.skipped,
        contexts=columns.contexts,
        genres=links.genres(columns.track_ids),
    )


def _failure(name: str, exc: FileRejected | OSError) -> FailedFile:
    if isinstance(exc, OSError):
        return FailedFile(file=name, reason=f"cannot read the file: {exc.strerror or exc}")
    return FailedFile(
        file=name, reason=exc.reason, byte_offset=exc.byte_offset, record_index=exc.record_index
    )
