"""One CSV row into a Track: the header check and every value rule."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from echotune.catalog.artist_ids import artist_id_for
from echotune.catalog.csv_rows import REQUIRED_COLUMNS, CsvLayout, RowError, parse_row
from echotune.catalog.models import AudioFeatures, Track
from echotune.errors import InvalidInput

SAMPLE = Path(__file__).parent / "data" / "spotify_songs_sample.csv"


def sample() -> tuple[list[str], list[list[str]]]:
    with SAMPLE.open(newline="", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    return header, rows


def with_value(column: str, value: str, row: int = 0) -> tuple[CsvLayout, list[str]]:
    header, rows = sample()
    fields = list(rows[row])
    fields[header.index(column)] = value
    return CsvLayout(header), fields


def test_a_real_row_becomes_the_track_it_describes() -> None:
    header, rows = sample()
    track = parse_row(CsvLayout(header), rows[0])
    assert track == Track(
        id="6f807x0ima9a1j3VPbc7VN",
        name="I Don't Care (with Justin Bieber) - Loud Luxury Remix",
        artist_id=artist_id_for("Ed Sheeran"),
        artist_name="Ed Sheeran",
        album_id="2oCs0DGTsRO98Gh5ZSl2Cx",
        album_name="I Don't Care (with Justin Bieber) [Loud Luxury Remix]",
        release_date="2019-06-14",
        popularity=66,
        duration_ms=194754,
        genre="pop",
        subgenre="dance pop",
        features=AudioFeatures(
            danceability=0.748,
            energy=0.916,
            key=6,
            loudness=-2.634,
            mode=1,
            speechiness=0.0583,
            acousticness=0.102,
            instrumentalness=0.0,
            liveness=0.0653,
            valence=0.518,
            tempo=122.036,
            duration_ms=194754,
            time_signature=4,
        ),
    )


def test_na_means_missing() -> None:
    header, rows = sample()
    na_row = next(r for r in rows if r[1] == "NA")
    track = parse_row(CsvLayout(header), na_row)
    assert (track.name, track.artist_name, track.album_name) == ("", "", None)
    assert track.artist_id == artist_id_for("")
    assert track.features is not None and track.release_date == "2012-01-05"


def test_quoted_title_with_comma_and_quotes() -> None:
    header, rows = sample()
    track = parse_row(CsvLayout(header), rows[9])
    assert track.name == 'I Don\'t Want to Miss a Thing - From the Touchstone film, "Armageddon"'


def test_header_names_every_missing_required_column() -> None:
    header, _ = sample()
    kept = [h for h in header if h not in ("energy", "tempo", "track_id")]
    with pytest.raises(InvalidInput) as err:
        CsvLayout(kept)
    assert err.value.message.endswith("missing required columns: track_id, energy, tempo")


def test_optional_columns_may_be_absent_and_order_does_not_matter() -> None:
    header = list(reversed(REQUIRED_COLUMNS))
    values = {c: "0.5" for c in REQUIRED_COLUMNS}
    values |= {"track_id": "0" * 22, "track_name": "t", "track_artist": "a", "key": "5.0"}
    values |= {"mode": "1", "duration_ms": "1000", "loudness": "-5"}
    track = parse_row(CsvLayout([f" {h} " for h in header]), [values[h] for h in header])
    assert track.features is not None and track.features.key == 5
    assert (track.popularity, track.genre, track.album_id, track.features.time_signature) == (
        0,
        None,
        None,
        4,
    )


def test_a_time_signature_column_is_used_when_present() -> None:
    header, rows = sample()
    track = parse_row(CsvLayout([*header, "time_signature"]), [*rows[0], "3"])
    assert track.features is not None and track.features.time_signature == 3


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("track_id", "NA", "track_id: missing value"),
        ("track_id", "abc", "track_id: not a 22-character base62 id: 'abc'"),
        ("track_id", "6f807x0ima9a1j3VPbc7V!", "track_id: not a 22-character base62 id"),
        ("energy", "loud", "energy: not a number: 'loud'"),
        ("energy", "", "energy: missing value"),
        ("energy", "1.5", "energy: input should be less than or equal to 1"),
        ("tempo", "nan", "tempo: not a finite number: 'nan'"),
        ("loudness", "-inf", "loudness: not a finite number"),
        ("key", "12", "key: input should be less than or equal to 11"),
        ("key", "4.5", "key: not a whole number: '4.5'"),
        ("key", "", "key: missing value"),
        ("duration_ms", "-1", "duration_ms: input should be greater than or equal to 0"),
        ("tempo", "inf", "tempo: not a finite number: 'inf'"),
        ("loudness", "1e400", "loudness: not a finite number: '1e400'"),
        ("mode", "2", "mode: input should be less than or equal to 1: '2'"),
        ("track_popularity", "101", "track_popularity: input should be less than or equal to 100"),
        ("track_popularity", "x" * 100, "track_popularity: not a whole number: 'xxxxxxxx"),
    ],
)
def test_bad_values_are_row_errors(column: str, value: str, reason: str) -> None:
    layout, fields = with_value(column, value)
    with pytest.raises(RowError) as err:
        parse_row(layout, fields)
    assert err.value.reason.startswith(reason)
    assert len(err.value.reason) < 120  # a long cell is cut, not echoed whole


def test_wrong_field_count_is_a_row_error() -> None:
    header, rows = sample()
    with pytest.raises(RowError, match="expected 23 fields, found 22"):
        parse_row(CsvLayout(header), rows[0][:-1])
