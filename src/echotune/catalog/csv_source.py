"""A catalog CSV opened for streaming: plain, gzip or xz, one record at a time.

Compression is recognised by the file's magic bytes, not its name, so a
renamed file still reads. Records come with the physical line they start on,
and `bytes_read` reports the position in the file on disk (compressed bytes
for .gz/.xz), which is what a progress bar over the file's size needs.
"""

from __future__ import annotations

import csv
import gzip
import io
import lzma
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import Self

from echotune.errors import InvalidInput

_GZIP_MAGIC = b"\x1f\x8b"
_XZ_MAGIC = b"\xfd7zXZ\x00"
# Everything a broken file can raise while being decoded and split into records.
_READ_ERRORS = (csv.Error, UnicodeDecodeError, gzip.BadGzipFile, lzma.LZMAError, EOFError, OSError)


class CsvSource:
    """Records of one CSV file; use it as a context manager."""

    def __init__(self, path: Path) -> None:
        self._files = ExitStack()
        with self._files:  # closes what was opened if opening fails half-way
            self._raw = self._files.enter_context(path.open("rb"))
            magic = self._raw.peek(len(_XZ_MAGIC))
            stream: io.BufferedReader | gzip.GzipFile | lzma.LZMAFile = self._raw
            if magic.startswith(_GZIP_MAGIC):
                stream = self._files.enter_context(gzip.GzipFile(fileobj=self._raw, mode="rb"))
            elif magic.startswith(_XZ_MAGIC):
                # The ExitStack owns it; ruff does not see through enter_context here.
                stream = self._files.enter_context(lzma.LZMAFile(self._raw))  # noqa: SIM115
            # utf-8-sig drops the byte-order mark spreadsheet programs put first.
            text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
            self._text = self._files.enter_context(text)
            self._files = self._files.pop_all()
        # Lenient quoting: a stray quote garbles one row, which then fails validation and
        # is skipped, instead of aborting the whole import.
        self._reader = csv.reader(self._text)
        self._line = 0

    def bytes_read(self) -> int:
        """How far into the file on disk reading has got."""
        return self._raw.tell()

    def header(self) -> list[str]:
        """The first record; InvalidInput when the file has none."""
        for _, fields in self.records():
            return fields
        raise InvalidInput("catalog CSV is empty: no header row")

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """(first physical line, fields) of each non-blank record after those already read."""
        while True:
            try:
                fields = next(self._reader)
            except StopIteration:
                return
            except _READ_ERRORS as exc:
                raise InvalidInput(f"unreadable CSV near line {self._line + 1}: {exc}") from None
            # line_num is where the record ended; a quoted newline makes it span lines.
            start, self._line = self._line + 1, self._reader.line_num
            if fields:
                yield start, fields

    def close(self) -> None:
        self._files.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
