"""The elements of one top-level JSON array, read in chunks, in constant memory.

Spotify exports are pretty-printed arrays of flat objects, up to hundreds of
megabytes. Decoding them one object at a time with `raw_decode` ran at about
130,000 objects/s here; decoding a whole chunk of objects in one call is
several times faster. So the reader cuts its buffer after the last `}` that a
comma follows and decodes everything before it at once. The decode itself
proves the cut right: had the `}` been inside a string or a nested value, the
bracketed text could not be valid JSON.

A chunk goes first to the caller's `typed` decoder, if any (the import's
decodes records straight into structs, at a quarter of the cost of
`json.loads`: see `export_fields`), then, if that refuses it, to
`json.loads`; only when neither can read it is the same stretch decoded one
element at a time, which finds any real error.

The buffer is bytes, not text, so byte offsets need no bookkeeping and only
the rare one-at-a-time path decodes UTF-8 itself. Errors carry the byte
offset in the file and the index of the element at fault. Memory stays
bounded: one chunk plus one element; an element over `MAX_ELEMENT_BYTES` is
refused rather than buffered.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

# Reads a whole chunk (a JSON array) at once, or raises ValueError or RecursionError.
ChunkDecoder = Callable[[bytes], list[Any]]

CHUNK_BYTES = 1 << 20
MAX_ELEMENT_BYTES = 1 << 22
_WS = re.compile(rb"[ \t\n\r]*")
_WS_TEXT = re.compile(r"[ \t\n\r]*")
# The one-at-a-time path decodes this much text at first, doubling as needed.
_WINDOW = 1 << 16
_BOM = codecs.BOM_UTF8
# What may be left after a decode error when the text merely stopped too
# soon: nothing, or the start of a literal or a number.
_PARTIAL_TOKEN = re.compile(r"(t(r(ue?)?)?|f(a(l(se?)?)?)?|n(u(ll?)?)?|[-+0-9.eE]*)\s*")


class JsonArrayError(Exception):
    """The file is not a readable JSON array; says where."""

    def __init__(self, reason: str, byte_offset: int, index: int | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.byte_offset = byte_offset
        self.index = index


def _ws_end(data: bytes, pos: int) -> int:
    match = _WS.match(data, pos)
    return pos if match is None else match.end()


def _text_ws_end(text: str, pos: int) -> int:
    match = _WS_TEXT.match(text, pos)
    return pos if match is None else match.end()


def _utf8_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


@dataclass(frozen=True)
class Segment:
    """Elements decoded from `raw[start:end]`, which begins at `byte_start` in the file.

    `typed`: the reader's typed decoder read them, and `elements` are what it
    returned; otherwise they are what `json.loads` returns.
    """

    elements: list[Any]
    first_index: int
    raw: bytes
    start: int
    end: int
    byte_start: int
    typed: bool = False

    def plain_elements(self) -> list[Any]:
        """The elements as `json.loads` reads them (decodes again; for errors only)."""
        if not self.typed:
            return self.elements
        loaded: list[Any] = json.loads(b"".join((b"[", self.raw[self.start : self.end], b"]")))
        return loaded

    def byte_offset_of(self, k: int) -> int:
        """Where element `k` of this segment starts in the file (re-scans; for errors only)."""
        text = self.raw[self.start : self.end].decode("utf-8", "surrogatepass")
        decoder = json.JSONDecoder()
        pos = _text_ws_end(text, 0)
        for _ in range(k):
            _, pos = decoder.raw_decode(text, pos)
            pos = _text_ws_end(text, _text_ws_end(text, pos) + 1)  # past the comma
        return self.byte_start + _utf8_len(text[:pos])


def _last_boundary(buf: bytes, start: int) -> int:
    """Index just after the last `}` (at or after `start`) that a comma follows; -1 if none."""
    end = len(buf)
    for _ in range(16):  # a pretty-printed export hits on the first try
        j = buf.rfind(b"}", start, end)
        if j < 0:
            return -1
        k = _ws_end(buf, j + 1)
        if buf[k : k + 1] == b",":
            return j + 1
        end = j
    return -1


class JsonArrayReader:
    """Segments of the array in `stream` (binary, read from where it stands)."""

    def __init__(
        self, stream: BinaryIO, chunk_bytes: int = CHUNK_BYTES, typed: ChunkDecoder | None = None
    ) -> None:
        self._stream = stream
        self._chunk = chunk_bytes
        self._typed = typed
        self._decoder = json.JSONDecoder()
        self._buf = b""
        self._pos = 0
        self._base = 0  # offset in the file of self._buf[0]
        self._eof = False
        self._index = 0
        # After a failed chunk decode, elements before this offset are
        # decoded one by one, so a bad chunk is not decoded again per element.
        self._slow_until = 0

    @property
    def bytes_read(self) -> int:
        return self._base + len(self._buf)

    def segments(self) -> Iterator[Segment]:
        if not self._skip_ws():
            raise self._error("the file is empty", self._pos, record=False)
        if self._buf[self._pos : self._pos + 1] != b"[":
            raise self._error("not a JSON array of records", self._pos, record=False)
        self._pos += 1
        if not self._skip_ws():
            raise self._error("truncated: the array is never closed", self._pos)
        if self._buf[self._pos : self._pos + 1] == b"]":
            self._finish()
            return
        while True:
            if not self._eof and len(self._buf) - self._pos < self._chunk:
                self._fill()
            fast = self._fast() if self._base + self._pos >= self._slow_until else None
            if fast is not None:
                yield fast
                continue
            yield self._slow()
            if self._after_element():
                return

    def _fast(self) -> Segment | None:
        buf, pos = self._buf, self._pos
        cut = _last_boundary(buf, pos)
        if cut < 0:
            return None
        chunk = b"".join((b"[", memoryview(buf)[pos:cut], b"]"))
        elements, typed = self._decode(chunk)
        if elements is None:
            # A real error or a wrong cut: _slow finds out which.
            self._slow_until = self._base + cut
            return None
        segment = Segment(elements, self._index, buf, pos, cut, self._base + pos, typed)
        self._index += len(elements)
        self._pos = _ws_end(buf, cut) + 1  # past the comma
        if not self._skip_ws():
            raise self._error("truncated: the array ends after a comma", self._pos)
        return segment

    def _decode(self, chunk: bytes) -> tuple[list[Any] | None, bool]:
        """(elements, whether typed) of a chunk; (None, False) if neither decoder reads it."""
        if self._typed is not None:
            try:
                return self._typed(chunk), True
            except (ValueError, RecursionError):
                pass  # maybe valid JSON all the same: the plain decoder says
        try:
            return json.loads(chunk), False
        except (ValueError, RecursionError):
            return None, False

    def _slow(self) -> Segment:
        window = _WINDOW
        while True:
            start = self._pos
            if self._buf[start : start + 1] == b"]":
                raise self._error("a comma before ']' with no record after it", start)
            limit = min(len(self._buf), start + window)
            text, not_utf8 = self._text(start, limit)
            try:
                element, end = self._decoder.raw_decode(text, 0)
            except json.JSONDecodeError as exc:
                if not _runs_out(exc, text):
                    at = start + _utf8_len(text[: exc.pos])
                    raise self._error(f"invalid JSON: {exc.msg}", at) from None
                if not_utf8 is not None:  # this element reaches the bad byte
                    raise not_utf8 from None
                if window > MAX_ELEMENT_BYTES:
                    raise self._error("a record is larger than 4 MiB", start) from None
                if limit < len(self._buf):
                    window *= 2
                elif not self._eof:
                    self._fill()
                else:  # a cut record is reported where it starts
                    reason = f"truncated in the middle of a record ({exc.msg})"
                    raise self._error(reason, start) from None
                continue
            except RecursionError:
                raise self._error("a record is nested too deeply", start) from None
            end_byte = start + _utf8_len(text[:end])
            segment = Segment(
                [element], self._index, self._buf, start, end_byte, self._base + start
            )
            self._index += 1
            self._pos = end_byte
            return segment

    def _text(self, start: int, limit: int) -> tuple[str, JsonArrayError | None]:
        """The buffer's bytes start..limit as text, up to the last whole character.

        If a byte there is not UTF-8: the text before it, and the error to
        raise if the element being read reaches it (the elements before it
        are read, so the error names the element that holds the byte).
        """
        final = self._eof and limit == len(self._buf)
        try:
            text, _ = codecs.utf_8_decode(self._buf[start:limit], "strict", final)
        except UnicodeDecodeError as exc:
            error = self._error(f"not UTF-8 text: {exc.reason}", start + exc.start)
            text, _ = codecs.utf_8_decode(self._buf[start : start + exc.start], "strict", False)
            return text, error
        return text, None

    def _after_element(self) -> bool:
        """Past the separator after an element: False at the next element, True at the end."""
        if not self._skip_ws():
            raise self._error("truncated: the array is never closed", self._pos)
        sep = self._buf[self._pos : self._pos + 1]
        if sep == b"]":
            self._finish()
            return True
        if sep != b",":
            found = sep.decode("utf-8", "replace")
            raise self._error(f"expected ',' or ']' after a record, found {found!r}", self._pos)
        self._pos += 1
        if not self._skip_ws():
            raise self._error("truncated: the array ends after a comma", self._pos)
        return False

    def _finish(self) -> None:
        self._pos += 1
        if self._skip_ws():
            reason = "unexpected data after the end of the array"
            raise self._error(reason, self._pos, record=False)

    def _skip_ws(self) -> bool:
        """Move past whitespace, reading on as needed; False at the end of the file."""
        while True:
            self._pos = _ws_end(self._buf, self._pos)
            if self._pos < len(self._buf):
                return True
            if self._eof:
                return False
            self._fill()

    def _fill(self) -> None:
        """Read a chunk, forgetting what is before the current position."""
        data = self._stream.read(self._chunk)
        if self._base == 0 and not self._buf and data.startswith(_BOM):
            # A byte-order mark, which some editors add: skipped, offsets kept true.
            self._base, data = len(_BOM), data[len(_BOM) :]
        self._eof = not data
        self._base += self._pos
        self._buf = self._buf[self._pos :] + data
        self._pos = 0

    def _error(self, reason: str, pos: int, record: bool = True) -> JsonArrayError:
        """An error at buffer position `pos`, in the current record unless `record` is False."""
        return JsonArrayError(reason, self._base + pos, self._index if record else None)


def _runs_out(exc: json.JSONDecodeError, text: str) -> bool:
    """Whether the error only says the text stopped before the element ended."""
    # A raw newline is invalid inside a JSON string, so an unterminated string
    # is one the end of the text cut, wherever it started.
    if exc.msg.startswith("Unterminated string"):
        return True
    if "escape" in exc.msg:  # \uXXXX, or a surrogate pair of two: 12 characters
        return len(text) - exc.pos <= 12
    return _PARTIAL_TOKEN.fullmatch(text, exc.pos) is not None
