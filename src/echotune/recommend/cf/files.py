"""Interaction files: `user item [weight]` rows, read line by line.

Format, decided from the first non-blank line:
- separator: a tab if that line has one, else `::` if it has one (MovieLens
  1M and 10M `ratings.dat`), else a comma if it has one, else runs of
  whitespace. Comma files may quote fields, CSV style; tab files are read
  as TSV, where a quote is an ordinary character (Last.fm-360K has artist
  names such as `"weird al" yankovic`, and one unclosed quote would
  otherwise swallow the lines after it);
- header: that line is a header when its third field is not a number, or when
  it has two fields that are both column names (`user`, `item`, `track_id` ...);
- weight: optional, default 1.0; it must be a finite number >= 0. Repeated
  (user, item) pairs are summed by `Interactions.from_triples`.
Blank lines and lines starting with `#` are skipped. Files ending in `.gz` are
read through gzip. A bad line raises `InvalidInput` naming the file and line,
unless a `BadRows` allows some to be skipped: public dumps have a few ragged
rows (other loaders of Last.fm-1K skip nine of its 19 million), and one of
them should not end a run, but none is skipped silently.

`Columns` picks the fields of wider files, so public datasets read as they
are published: Last.fm-360K (`user, artist-mbid, artist-name, plays`) with
columns 1,3,4, Last.fm-1K (one row per listening event) with 1,4 (artists).
Other fields are then ignored, and the header test looks at the chosen ones.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TextIO, cast

from echotune.errors import InvalidInput
from echotune.recommend.cf.interactions import Interactions

Triple = tuple[str, str, float]
# Two-column files carry no weight to test, so a header is recognised by its names.
HEADER_NAMES = frozenset(
    {
        *("user", "user_id", "userid", "item", "item_id", "itemid", "playlist_id"),
        *("track", "track_id", "trackid", "track_name", "traid", "traname", "song", "song_id"),
        *("artist", "artist_id", "artistid", "artist_name", "artid", "artname"),
    }
)


# Said of a row with more fields than `user item [weight]` (MovieLens adds a
# timestamp): the fields can be picked rather than the file rewritten.
WIDER_HINT = "; pick the user, item and weight fields with --columns USER,ITEM[,WEIGHT]"
# Said of the first bad row when none may be skipped.
SKIP_HINT = "; to skip up to N such rows (counted and reported), pass --max-bad-rows N"
# Bad rows quoted in a report.
EXAMPLES = 5
# Rows between two progress calls: ~30 per second at the reader's pace.
PROGRESS_ROWS = 10_000


class WiderRow(InvalidInput):
    """A row with more fields than `user item [weight]` and no `Columns` to pick from."""


@dataclass
class BadRows:
    """Rows a read may skip: up to `limit`, each counted, the first few kept to be shown.

    One `BadRows` can span several files (a `--train` and a `--test` file).
    """

    limit: int = 0
    skipped: int = 0
    examples: list[str] = field(default_factory=list)

    def skip(self, error: InvalidInput) -> None:
        """Count `error`'s row as skipped, or raise it when that would pass `limit`."""
        if self.skipped >= self.limit:
            # A row wider than `user item [weight]` more likely means a wider
            # file, for which `--columns` is the answer, not skipping rows.
            reason = (
                ("" if isinstance(error, WiderRow) else SKIP_HINT)
                if self.limit == 0
                else f" (more than {self.limit:,} bad rows, the --max-bad-rows limit)"
            )
            raise InvalidInput(error.message + reason) from None
        self.skipped += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(error.message)


@dataclass(frozen=True)
class Columns:
    """0-based positions of the user, item and (optional) weight fields."""

    user: int
    item: int
    weight: int | None = None

    @classmethod
    def parse(cls, text: str) -> Columns:
        """From 1-based `USER,ITEM[,WEIGHT]`, e.g. `1,3,4`."""
        parts = [p.strip() for p in text.split(",")]
        if len(parts) not in (2, 3) or not all(p.isdigit() and int(p) >= 1 for p in parts):
            raise InvalidInput(
                f"columns {text!r}: expected USER,ITEM[,WEIGHT] as 1-based column numbers"
            )
        numbers = [int(p) - 1 for p in parts]
        if len(set(numbers)) != len(numbers):
            raise InvalidInput(f"columns {text!r}: a column is named twice")
        return cls(*numbers)

    @property
    def width(self) -> int:
        """The fewest fields a row needs."""
        return 1 + max(self.user, self.item, -1 if self.weight is None else self.weight)

    def pick(self, fields: list[str]) -> list[str] | None:
        """The chosen fields in `user item [weight]` order, None if the row is too short."""
        if len(fields) < self.width:
            return None
        picked = [fields[self.user], fields[self.item]]
        return picked if self.weight is None else [*picked, fields[self.weight]]


def read_interactions(
    path: Path,
    columns: Columns | None = None,
    bad_rows: BadRows | None = None,
    progress: Callable[[int], None] | None = None,
) -> Interactions:
    """Read a whole interaction file into an `Interactions`.

    A bad row raises `InvalidInput`, unless `bad_rows` still allows one to
    be skipped (it counts those). Nothing is returned from a refused file.
    `progress(bytes)` is called now and then with how far into the file on
    disk the read is (compressed bytes for `.gz`), and at the end.
    """
    return Interactions.from_triples(iter_interactions(path, columns, bad_rows, progress))


def iter_interactions(
    path: Path,
    columns: Columns | None = None,
    bad_rows: BadRows | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Triple]:
    """Yield (user, item, weight) per data row, streaming; the rest as `read_interactions`."""
    bad = BadRows() if bad_rows is None else bad_rows
    with _open_text(path) as (handle, position):
        rows = _rows(handle) if columns is None else _picked(path, _rows(handle), columns, bad)
        first = next(rows, None)
        if first is None:
            return
        if not _is_header(first[1]):
            rows = itertools.chain((first,), rows)
        for count, (line_no, fields) in enumerate(rows, 1):
            if progress is not None and count % PROGRESS_ROWS == 0:
                progress(position())
            try:
                triple = _triple(path, line_no, fields)
            except InvalidInput as exc:
                bad.skip(exc)
                continue
            yield triple
        if progress is not None:
            progress(position())


def _picked(
    path: Path, rows: Iterator[tuple[int, list[str]]], columns: Columns, bad: BadRows
) -> Iterator[tuple[int, list[str]]]:
    for line_no, fields in rows:
        picked = columns.pick(fields)
        if picked is None:
            bad.skip(
                InvalidInput(
                    f"{path}:{line_no}: expected at least {columns.width} fields, got {len(fields)}"
                )
            )
            continue
        yield line_no, picked


def write_interactions(path: Path, triples: Iterable[Triple]) -> int:
    """Write a tab-separated file with a header; returns the number of rows written."""
    with interaction_writer(path) as write:
        for triple in triples:
            write(*triple)
        return write.rows


class _RowWriter:
    """Writes `user item weight` rows to an open text file, counting them."""

    def __init__(self, handle: TextIO) -> None:
        self._handle = handle
        self.rows = 0

    def __call__(self, user: str, item: str, weight: float) -> None:
        if any(c in s for s in (user, item) for c in "\t\n\r"):
            raise InvalidInput(f"id {user!r}/{item!r} contains a tab or a newline")
        self._handle.write(f"{user}\t{item}\t{weight:g}\n")
        self.rows += 1


@contextmanager
def interaction_writer(path: Path) -> Iterator[_RowWriter]:
    """A tab-separated interaction file with a header, written whole or not at all.

    Rows go to a temporary file beside `path`, renamed over it when the block
    ends without an error; on an error the temporary file is removed and
    `path` is as it was. `.gz` paths are gzipped.
    """
    part = path.with_name(path.name + ".part")
    try:
        with _open_for_writing(part, path) as handle:
            handle.write("user\titem\tweight\n")
            yield _RowWriter(handle)
        part.replace(path)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise InvalidInput(f"{path}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        part.unlink(missing_ok=True)
        raise


@contextmanager
def _open_for_writing(part: Path, final: Path) -> Iterator[TextIO]:
    """`part` opened for text, gzipped when `final` ends in `.gz` (under `final`'s name)."""
    if final.suffix != ".gz":
        with open(part, "w", encoding="utf-8", newline="") as plain:
            yield plain
        return
    # mtime=0 and the final name in the header: the same rows always give the same bytes.
    with (
        open(part, "wb") as file,
        gzip.GzipFile(filename=final.name, mode="wb", fileobj=file, mtime=0) as raw,
        io.TextIOWrapper(raw, "utf-8", newline="") as text,
    ):
        yield text


@contextmanager
def _open_text(path: Path) -> Iterator[tuple[TextIO, Callable[[], int]]]:
    """The file as text, and a function telling how many bytes of it on disk were read."""
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot open ({exc.strerror or exc})") from None
    with raw:
        binary: IO[bytes] = (
            cast(IO[bytes], gzip.GzipFile(fileobj=raw)) if path.suffix == ".gz" else raw
        )
        try:
            yield io.TextIOWrapper(binary, encoding="utf-8", newline=""), raw.tell
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
    delimiter = "\t" if "\t" in line else "::" if "::" in line else "," if "," in line else None
    if delimiter is None or delimiter == "::":
        yield line_no, _split(line, delimiter)
        for line in handle:
            line_no += 1
            if line.strip() and not line.lstrip().startswith("#"):
                yield line_no, _split(line, delimiter)
        return
    lines = itertools.chain((line,), handle)
    reader = (
        csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        if delimiter == "\t"
        else csv.reader(lines, delimiter=delimiter)
    )
    for fields in reader:
        # csv counts physical lines; a quoted newline would span several.
        number = line_no - 1 + reader.line_num
        stripped = [f.strip() for f in fields]
        if any(stripped) and not stripped[0].startswith("#"):
            yield number, stripped


def _split(line: str, delimiter: str | None) -> list[str]:
    """Fields of a plain line: runs of whitespace, or `delimiter` with each field stripped."""
    if delimiter is None:
        return line.split()
    return [f.strip() for f in line.split(delimiter)]


def _is_header(fields: list[str]) -> bool:
    if len(fields) == 3:
        return _number(fields[2]) is None
    if len(fields) == 2:
        return all(f.lower() in HEADER_NAMES for f in fields)
    return False


def _triple(path: Path, line_no: int, fields: list[str]) -> Triple:
    # The common rows first, in as few steps as possible (millions of rows);
    # anything else goes to `_refused`, which names what is wrong.
    if len(fields) == 3:
        user, item, text = fields
        try:
            weight = float(text)
        except ValueError:
            weight = math.nan
        if user and item and 0.0 <= weight < math.inf:
            return user, item, weight
    elif len(fields) == 2 and fields[0] and fields[1]:
        return fields[0], fields[1], 1.0
    raise _refused(path, line_no, fields)


def _refused(path: Path, line_no: int, fields: list[str]) -> InvalidInput:
    """Why a row is not `user item [weight]` with non-empty ids and a weight >= 0."""
    if len(fields) not in (2, 3):
        wrong = f"{path}:{line_no}: expected 'user item [weight]', got {len(fields)} fields"
        return WiderRow(wrong + WIDER_HINT) if len(fields) > 3 else InvalidInput(wrong)
    if not fields[0] or not fields[1]:
        return InvalidInput(f"{path}:{line_no}: empty user or item id")
    return InvalidInput(f"{path}:{line_no}: weight {fields[2]!r} is not a finite number >= 0")


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None
