"""One catalog CSV row into a `Track`: the column layout and the value rules.

The layout is the TidyTuesday "Spotify Songs" one (see catalog/data/SOURCE.md).
Required columns must be in the header; optional ones may be absent. A value
of ``NA`` or an empty cell means missing. Numbers are parsed by the `Track`
model itself (pydantic's lax mode: "5" and "5.0" are both the integer 5), so
the ranges live in one place. A row that cannot become a valid `Track` raises
`RowError` with a short reason naming the CSV column; the importer reports and
skips it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from pydantic import ValidationError

from echotune.catalog.artist_ids import artist_id_for
from echotune.catalog.models import Track
from echotune.errors import InvalidInput

# Audio-feature columns, named as the AudioFeatures fields they fill.
FEATURE_COLUMNS: tuple[str, ...] = (
    "acousticness",
    "danceability",
    "energy",
    "instrumentalness",
    "key",
    "liveness",
    "loudness",
    "mode",
    "speechiness",
    "tempo",
    "valence",
)
REQUIRED_COLUMNS: tuple[str, ...] = (
    "track_id",
    "track_name",
    "track_artist",
    *FEATURE_COLUMNS,
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
# Bounded below but not above, so "inf" would pass the model's own checks.
_MUST_BE_FINITE = ("loudness", "tempo")
# Track fields whose CSV column has another name; reasons name the column.
_COLUMN_OF = {"popularity": "track_popularity"}
# Pydantic's wording for the usual mistakes, shortened for a report table.
_SHORT_MESSAGES = {
    "float_parsing": "not a number",
    "int_parsing": "not a whole number",
    "int_from_float": "not a whole number",
}
# Reasons echo bad values; a cap keeps a hostile 100 kB cell out of the report.
_ECHO_CHARS = 40


class RowError(ValueError):
    """This row cannot become a track; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _echo(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= _ECHO_CHARS else text[:_ECHO_CHARS] + "...")


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


def parse_row(layout: CsvLayout, row: Sequence[str]) -> Track:
    """The track this row describes, or RowError."""
    cells = layout.cells(row)
    track_id = cells["track_id"]
    if track_id is None:
        raise RowError("track_id: missing value")
    if not _TRACK_ID.fullmatch(track_id):
        raise RowError(f"track_id: not a 22-character base62 id: {_echo(track_id)}")
    features: dict[str, object] = {name: cells[name] for name in FEATURE_COLUMNS}
    features["duration_ms"] = cells["duration_ms"]
    features["time_signature"] = cells["time_signature"] or 4
    # A missing name or artist is kept as "" rather than dropping the row: the
    # bundled catalog has a few such tracks with complete audio features.
    artist = cells["track_artist"] or ""
    fields: dict[str, object] = {
        "id": track_id,
        "name": cells["track_name"] or "",
        "artist_id": artist_id_for(artist),
        "artist_name": artist,
        "album_id": cells["track_album_id"],
        "album_name": cells["track_album_name"],
        "release_date": cells["track_album_release_date"],
        "popularity": cells["track_popularity"] or 0,
        "duration_ms": cells["duration_ms"],
        "genre": cells["playlist_genre"],
        "subgenre": cells["playlist_subgenre"],
        "features": features,
    }
    try:
        track = Track.model_validate(fields)
    except ValidationError as exc:
        raise RowError(_first_error(exc)) from None
    for name in _MUST_BE_FINITE:
        if not math.isfinite(getattr(track.features, name)):
            raise RowError(f"{name}: not a finite number: {_echo(cells[name])}")
    return track


def _first_error(exc: ValidationError) -> str:
    # Our own wording, not str(exc): pydantic's text would echo the whole row.
    first = exc.errors(include_url=False)[0]
    loc = [str(part) for part in first["loc"] if part != "features"]
    column = _COLUMN_OF.get(loc[0], loc[0]) if loc else "row"
    value = first["input"]
    if value is None:
        return f"{column}: missing value"
    if _non_finite(value):
        # "nan" parses as a float and then fails a range check; say what is really wrong.
        return f"{column}: not a finite number: {_echo(value)}"
    message = _SHORT_MESSAGES.get(first["type"], first["msg"].lower())
    return f"{column}: {message}: {_echo(value)}"


def _non_finite(value: object) -> bool:
    try:
        return not math.isfinite(float(str(value)))
    except ValueError:
        return False
