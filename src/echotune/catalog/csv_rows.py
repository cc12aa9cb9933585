"""One catalog CSV row into a `Track`: the column layout and the value rules.

The layout is the TidyTuesday "Spotify Songs" one (see catalog/data/SOURCE.md).
Required columns must be in the header; optional ones may be absent. A value
of ``NA`` or an empty cell means missing. A row that cannot become a valid
`Track` raises `RowError` with a short reason; the importer reports and skips it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from pydantic import ValidationError

from echotune.catalog.artist_ids import artist_id_for
from echotune.catalog.models import AudioFeatures, Track
from echotune.errors import InvalidInput

FLOAT_FEATURES: tuple[str, ...] = (
    "acousticness",
    "danceability",
    "energy",
    "instrumentalness",
    "liveness",
    "loudness",
    "speechiness",
    "tempo",
    "valence",
)
INT_FEATURES: tuple[str, ...] = ("key", "mode")
REQUIRED_COLUMNS: tuple[str, ...] = (
    "track_id",
    "track_name",
    "track_artist",
    *FLOAT_FEATURES,
    *INT_FEATURES,
    "duration_ms",
)
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "track_popularity",
    "track_album_id",
    "track_album_name",
    "track_album_release_date",
    "playlist_genre",
    "playlist_subgenre",
    "time_signature",
)
MISSING = frozenset({"", "NA"})
_TRACK_ID = re.compile(r"[0-9A-Za-z]{22}")
# Reasons echo bad values; a cap keeps a hostile 100 kB cell out of the report.
_ECHO_CHARS = 40


class RowError(ValueError):
    """This row cannot become a track; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _echo(value: str) -> str:
    return repr(value if len(value) <= _ECHO_CHARS else value[:_ECHO_CHARS] + "...")


class CsvLayout:
    """Where each known column sits in the rows of one file."""

    def __init__(self, header: Sequence[str]) -> None:
        names = [h.strip() for h in header]
        missing = [c for c in REQUIRED_COLUMNS if c not in names]
        if missing:
            raise InvalidInput(f"catalog CSV is missing required columns: {', '.join(missing)}")
        # The first of two same-named columns wins, as a reader scanning left to right expects.
        self._pos = [(c, names.index(c)) for c in REQUIRED_COLUMNS + OPTIONAL_COLUMNS if c in names]
        self.width = len(names)

    def cells(self, row: Sequence[str]) -> dict[str, str | None]:
        """The known columns of `row`, stripped; missing values (and absent columns) None."""
        if len(row) != self.width:
            raise RowError(f"expected {self.width} fields, found {len(row)}")
        out: dict[str, str | None] = dict.fromkeys(OPTIONAL_COLUMNS)
        # One pass over the row: this runs for every row of a multi-GB file.
        for column, pos in self._pos:
            value = row[pos].strip()
            out[column] = None if value in MISSING else value
        return out


def _required(cells: dict[str, str | None], column: str) -> str:
    value = cells[column]
    if value is None:
        raise RowError(f"{column}: missing value")
    return value


def _number(cells: dict[str, str | None], column: str) -> float:
    raw = _required(cells, column)
    try:
        value = float(raw)
    except ValueError:
        raise RowError(f"{column}: not a number: {_echo(raw)}") from None
    if not math.isfinite(value):
        raise RowError(f"{column}: not a finite number: {_echo(raw)}")
    return value


def _integer(cells: dict[str, str | None], column: str, default: int | None = None) -> int:
    if default is not None and cells[column] is None:
        return default
    value = _number(cells, column)
    # Tools like pandas write whole numbers as "5.0" once a column has had a gap.
    if not value.is_integer():
        raise RowError(f"{column}: not a whole number: {_echo(_required(cells, column))}")
    return int(value)


def parse_row(layout: CsvLayout, row: Sequence[str]) -> Track:
    """The track this row describes, or RowError."""
    cells = layout.cells(row)
    track_id = _required(cells, "track_id")
    if not _TRACK_ID.fullmatch(track_id):
        raise RowError(f"track_id: not a 22-character base62 id: {_echo(track_id)}")
    duration_ms = _integer(cells, "duration_ms")
    features = {name: _number(cells, name) for name in FLOAT_FEATURES}
    ints = {name: _integer(cells, name) for name in INT_FEATURES}
    # A missing name or artist is kept as "" rather than dropping the row: the
    # bundled catalog has a few such tracks with complete audio features.
    artist = cells["track_artist"] or ""
    try:
        return Track(
            id=track_id,
            name=cells["track_name"] or "",
            artist_id=artist_id_for(artist),
            artist_name=artist,
            album_id=cells["track_album_id"],
            album_name=cells["track_album_name"],
            release_date=cells["track_album_release_date"],
            popularity=_integer(cells, "track_popularity", default=0),
            duration_ms=duration_ms,
            genre=cells["playlist_genre"],
            subgenre=cells["playlist_subgenre"],
            features=AudioFeatures(
                **features,
                **ints,
                duration_ms=duration_ms,
                time_signature=_integer(cells, "time_signature", default=4),
            ),
        )
    except ValidationError as exc:
        raise RowError(_first_error(exc)) from None


def _first_error(exc: ValidationError) -> str:
    # The field path and message only: pydantic's own text would echo the whole input.
    first = exc.errors(include_url=False, include_input=False)[0]
    field = ".".join(str(part) for part in first["loc"] if part != "features") or "row"
    return f"{field}: {first['msg'].lower()}"
