"""The elements of one top-level JSON array, read in chunks, in constant memory.

Spotify exports are pretty-printed arrays of flat objects, up to hundreds of
megabytes. Decoding them one object at a time with `raw_decode` ran at about
130,000 objects/s here; decoding a whole chunk of objects in one `json.loads`
call ran at about 210,000/s (keys are interned once per call, not once per
object). So the reader cuts the buffer after the last `}` that is followed by
a comma and decodes everything before it at once. That cut is proven right by
the decode itself: if the `}` was inside a string or a nested value, the
bracketed text cannot be valid JSON. When it is not, the same stretch is
decoded one element at a time, which finds any real error's exact position.

Errors carry the byte offset in the file and the index of the element at
fault, and memory stays bounded: one chunk plus one element, and an element
larger than `MAX_ELEMENT_CHARS` is refused rather than buffered.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

CHUNK_BYTES = 1 << 20
MAX_ELEMENT_CHARS = 1 << 22
_WS = re.compile(r"[ \t\n\r]*")
_BOM = codecs.BOM_UTF8
# How close to the end of the buffer a decode error may be and still mean
# "the element goes on in the next chunk" (a cut literal such as `fals`).
_NEAR_END = 8


class JsonArrayError(Exception):
    """The file is not a readable JSON array; says where."""

    def __init__(self, reason: str, byte_offset: int, index: int | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.byte_offset = byte_offset
        self.index = index


def utf8_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _ws_end(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return pos if match is None else match.end()


@dataclass(frozen=True)
class Segment:
    """Elements decoded from one stretch of the file, in order."""

    elements: list[Any]
    first_index: int
    text: str
    byte_start: int

    def byte_offset_of(self, k: int) -> int:
        """Where element `k` of this segment starts in the file (re-scans; for errors only)."""
        decoder = json.JSONDecoder()
        pos = _ws_end(self.text, 0)
        for _ in range(k):
            _, pos = decoder.raw_decode(self.text, pos)
            pos = _ws_end(self.text, _ws_end(self.text, pos) + 1)  # past the comma
        return self.byte_start + utf8_len(self.text[:pos])


def _last_boundary(buf: str, start: int) -> int:
    """Index just after the last `}` (at or after `start`) that a comma follows; -1 if none."""
    end = len(buf)
    for _ in range(16):  # a pretty-printed export hits on the first try
        j = buf.rfind("}", start, end)
        if j < 0:
            return -1
        k = _ws_end(buf, j + 1)
        if k < len(buf) and buf[k] == ",":
            return j + 1
        end = j
    return -1


class JsonArrayReader:
    """Segments of the array in `stream` (binary, read from where it stands)."""

    def __init__(self, stream: BinaryIO, chunk_bytes: int = CHUNK_BYTES) -> None:
        self._stream = stream
        self._chunk = chunk_bytes
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._decoder = json.JSONDecoder()
        self._buf = ""
        self._pos = 0
        self._base = 0  # byte offset in the file of self._buf[0]
        self._read = 0
        self._eof = False
        self._index = 0
        # After a failed chunk decode, elements before this byte offset are
        # decoded one by one, so a bad chunk is not re-decoded per element.
        self._slow_until = 0

    @property
    def bytes_read(self) -> int:
        return self._read

    def segments(self) -> Iterator[Segment]:
        self._fill()
        if not self._skip_ws():
            raise self._error("the file is empty", self._pos)
        if self._buf[self._pos] != "[":
            raise self._error("not a JSON array of records", self._pos)
        self._consume(self._pos + 1)
        if not self._skip_ws():
            raise self._error("truncated: the array is never closed", self._pos)
        if self._buf[self._pos] == "]":
            self._finish()
            return
        while True:
            if not self._eof and len(self._buf) - self._pos < self._chunk:
                self._fill()
            fast = self._fast() if self._base >= self._slow_until else None
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
        try:
            elements = json.loads("[" + buf[pos:cut] + "]")
        except (ValueError, RecursionError):
            # A real error or a wrong cut: _slow finds out which.
            self._slow_until = self._offset(cut)
            return None
        segment = Segment(elements, self._index, buf[pos:cut], self._offset(pos))
        self._index += len(elements)
        after_comma = _ws_end(buf, cut) + 1
        self._consume(after_comma)
        if not self._skip_ws():
            raise self._error("truncated: the array ends after a comma", self._pos)
        return segment

    def _slow(self) -> Segment:
        while True:
            start = self._pos
            if self._buf[start] == "]":
                raise self._error("a comma before ']' with no record after it", start)
            try:
                element, end = self._decoder.raw_decode(self._buf, start)
            except json.JSONDecodeError as exc:
                if self._eof or not self._maybe_cut(exc):
                    raise self._decode_error(exc) from None
                if len(self._buf) - start > MAX_ELEMENT_CHARS:
                    raise self._error("a record is larger than 4 MiB", start) from None
                self._fill()
                continue
            except RecursionError:
                raise self._error("a record is nested too deeply", start) from None
            segment = Segment([element], self._index, self._buf[start:end], self._offset(start))
            self._index += 1
            self._consume(end)
            return segment

    def _after_element(self) -> bool:
        """Past the separator after an element: False at the next element, True at the end."""
        if not self._skip_ws():
            raise self._error("truncated: the array is never closed", self._pos)
        sep = self._buf[self._pos]
        if sep == "]":
            self._finish()
            return True
        if sep != ",":
            raise self._error(f"expected ',' or ']' after a record, found {sep!r}", self._pos)
        self._consume(self._pos + 1)
        if not self._skip_ws():
            raise self._error("truncated: the array ends after a comma", self._pos)
        return False

    def _finish(self) -> None:
        self._consume(self._pos + 1)
        if self._skip_ws():
            raise self._error("unexpected data after the end of the array", self._pos)

    def _maybe_cut(self, exc: json.JSONDecodeError) -> bool:
        # A raw newline is invalid inside a JSON string, so an unterminated
        # string away from the end of a pretty-printed file is still a cut one.
        unterminated = exc.msg.startswith("Unterminated string")
        return unterminated or exc.pos >= len(self._buf) - _NEAR_END

    def _decode_error(self, exc: json.JSONDecodeError) -> JsonArrayError:
        at_end = exc.pos >= len(self._buf) - _NEAR_END or exc.msg.startswith("Unterminated")
        if self._eof and at_end:
            return self._error(f"truncated in the middle of a record ({exc.msg})", exc.pos)
        return self._error(f"invalid JSON: {exc.msg}", exc.pos)

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
        if self._eof:
            return
        data = self._stream.read(self._chunk)
        if self._read == 0 and data.startswith(_BOM):
            # A byte-order mark, which some editors add: counted as read but
            # kept out of the text, so offsets stay true to the file.
            self._base = len(_BOM)
            self._read, data = len(_BOM), data[len(_BOM) :]
        start = self._read
        self._read += len(data)
        self._eof = not data
        try:
            self._buf += self._utf8.decode(data, final=self._eof)
        except UnicodeDecodeError as exc:
            raise JsonArrayError(f"not UTF-8 text: {exc.reason}", start + exc.start, None) from None

    def _consume(self, upto: int) -> None:
        """Forget the buffer before `upto`, keeping offsets right."""
        self._base += utf8_len(self._buf[:upto])
        self._buf = self._buf[upto:]
        self._pos = 0

    def _offset(self, pos: int) -> int:
        return self._base + utf8_len(self._buf[:pos])

    def _error(self, reason: str, pos: int) -> JsonArrayError:
        return JsonArrayError(reason, self._offset(pos), self._index)
