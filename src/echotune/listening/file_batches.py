"""One export file read as batches of play columns, meant for a worker thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, TypeVar

from echotune.listening.export_fields import decode_records
from echotune.listening.export_records import (
    PlayColumns,
    RecordError,
    add_export_records,
    add_records,
    is_video_file,
)
from echotune.listening.json_array import CHUNK_BYTES, JsonArrayError, JsonArrayReader, Segment

T = TypeVar("T")


class FileRejected(Exception):
    """The file is unusable as a whole: not JSON, not an export, or a bad record."""

    def __init__(self, reason: str, byte_offset: int | None, record_index: int | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.byte_offset = byte_offset
        self.record_index = record_index


@dataclass(frozen=True)
class FileBatch:
    columns: PlayColumns
    bytes_read: int
    last: bool


class FileBatches:
    """Batches of at least `batch_size` records (the last may be smaller), in file order."""

    def __init__(
        self, stream: BinaryIO, name: str, batch_size: int, chunk_bytes: int = CHUNK_BYTES
    ) -> None:
        self._reader = JsonArrayReader(stream, chunk_bytes, typed=decode_records)
        self._segments = self._reader.segments()
        self._video = is_video_file(name)
        self._size = batch_size

    def next(self) -> FileBatch:
        """The next batch; FileRejected when the file turns out unusable."""
        columns = PlayColumns()
        while columns.records < self._size:
            try:
                segment = next(self._segments)
            except StopIteration:
                return FileBatch(columns, self._reader.bytes_read, last=True)
            except JsonArrayError as exc:
                raise FileRejected(exc.reason, exc.byte_offset, exc.index) from None
            try:
                if segment.typed:
                    add_export_records(segment.elements, self._video, columns)
                else:
                    add_records(segment.elements, self._video, columns)
            except RecordError as exc:
                raise self._rejected(segment, exc) from None
        return FileBatch(columns, self._reader.bytes_read, last=False)

    def _rejected(self, segment: Segment, exc: RecordError) -> FileRejected:
        if segment.typed:
            # The typed records only show that one is bad; its plain JSON says
            # why, in the words a file read the slow way gets.
            try:
                add_records(segment.plain_elements(), self._video, PlayColumns())
            except RecordError as plain:
                exc = plain
            except ValueError:
                pass  # json refuses what msgspec read (never seen): the typed words stand
        offset = segment.byte_offset_of(exc.index)
        return FileRejected(exc.reason, offset, segment.first_index + exc.index)


async def in_thread(fn: Callable[[], T]) -> T:
    """`fn()` on a worker thread. If the caller is cancelled, wait for `fn` to
    finish before re-raising, so the file it reads is not closed under it
    (a batch takes a few milliseconds)."""
    future = asyncio.get_running_loop().run_in_executor(None, fn)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        await asyncio.wait([future])
        if not future.cancelled():
            future.exception()  # retrieved, so asyncio does not log it: the cancel wins
        raise
