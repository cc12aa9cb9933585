"""Interaction files: `user item [weight]` rows, read line by line.

Format, decided from the first non-blank line:
- separator: a tab if that line has one, else a comma if it has one, else runs
  of whitespace (tab and comma files may quote fields, CSV style);
- header: that line is a header when its third field is not a number, or when
  it has two fields that are both column names (`user`, `item`, `track_id` ...);
- weight: optional, default 1.0; it must be a finite number >= 0. Repeated
  (user, item) pairs are summed by `Interactions.from_triples`.
Blank lines and lines starting with `#` are skipped. Files ending in `.gz` are
read through gzip. A bad line raises `InvalidInput` naming the file and line.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TextIO, cast

from echotune.errors import InvalidInput
from echotune.recommend.cf.interactions import Interactions

Triple = tuple[str, str, float]
# Two-column files carry no weight to test, so a header is recognised by its names.
HEADER_NAMES = frozenset(
    {"user", "user_id", "userid", "item", "item_id", "itemid", "track", "track_id", "playlist_id"}
)


def read_interactions(path: Path) -> Interactions:
    """Read a whole interaction file into an `Interactions`."""
    return Interactions.from_triples(iter_interactions(path))


def iter_interactions(path: Path) -> Iterator[Triple]:
    """Yield (user, item, weight) per data row, streaming."""
    with _open_text(path) as handle:
        rows = _rows(handle)
        first = next(rows, None)
        if first is None:
            return
        line_no, fields = first
        if not _is_header(fields):
            yield _triple(path, line_no, fields)
        for line_no, fields in rows:
            yield _triple(path, line_no, fields)


def write_interactions(path: Path, triples: Iterable[Triple]) -> int:
    """Write a tab-separated file with a header; returns the number of rows written."""
    count = 0
    with _open_for_writing(path) as handle:
        handle.write("user\titem\tweight\n")
        for user, item, weight in triples:
            if any(c in s for s in (user, item) for c in "\t\n\r"):
                raise InvalidInput(f"id {user!r}/{item!r} contains a tab or a newline")
            handle.write(f"{user}\t{item}\t{weight:g}\n")
            count += 1
    return count


@contextmanager
def _open_for_writing(path: Path) -> Iterator[TextIO]:
    if path.suffix != ".gz":
        with open(path, "w", encoding="utf-8", newline="") as plain:
            yield plain
        return
    # mtime=0 so the same rows always give the same bytes.
    with (
        gzip.GzipFile(path, "wb", mtime=0) as raw,
        io.TextIOWrapper(raw, "utf-8", newline="") as text,
    ):
        yield text


@contextmanager
def _open_text(path: Path) -> Iterator[TextIO]:
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot open ({exc.strerror or exc})") from None
    with raw:
        binary: IO[bytes] = (
            cast(IO[bytes], gzip.GzipFile(fileobj=raw)) if path.suffix == ".gz" else raw
        )
        try:
            yield io.TextIOWrapper(binary, encoding="utf-8", newline="")
        except (UnicodeDecodeError, OSError, EOFError) as exc:
            # OSError covers a corrupt gzip stream (BadGzipFile).
            raise InvalidInput(f"{path}: unreadable ({exc})") from None


def _rows(handle: TextIO) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each non-blank, non-comment line."""
    line_no = 0
    for line in handle:
        line_no += 1
        if line.strip() and not line.lstrip().startswith("#"):
            break
    else:
        return
    delimiter = "\t" if "\t" in line else "," if "," in line else None
    if delimiter is None:
        yield line_no, line.split()
        for line in handle:
            line_no += 1
            if line.strip() and not line.lstrip().startswith("#"):
                yield line_no, line.split()
        return
    reader = csv.reader(_prepend(line, handle), delimiter=delimiter)
    for fields in reader:
        # csv counts physical lines; a quoted newline would span several.
        number = line_no - 1 + reader.line_num
        if fields and any(f.strip() for f in fields) and not fields[0].lstrip().startswith("#"):
            yield number, [f.strip() for f in fields]


def _prepend(first: str, rest: Iterable[str]) -> Iterator[str]:
    yield first
    yield from rest


def _is_header(fields: list[str]) -> bool:
    if len(fields) == 3:
        return _number(fields[2]) is None
    if len(fields) == 2:
        return all(f.lower() in HEADER_NAMES for f in fields)
    return False


def _triple(path: Path, line_no: int, fields: list[str]) -> Triple:
    if len(fields) not in (2, 3):
        raise InvalidInput(
            f"{path}:{line_no}: expected 'user item [weight]', got {len(fields)} fields"
        )
    user, item = fields[0], fields[1]
    if not user or not item:
        raise InvalidInput(f"{path}:{line_no}: empty user or item id")
    if len(fields) == 2:
        return user, item, 1.0
    weight = _number(fields[2])
    if weight is None or weight < 0:
        raise InvalidInput(f"{path}:{line_no}: weight {fields[2]!r} is not a finite number >= 0")
    return user, item, weight


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None
