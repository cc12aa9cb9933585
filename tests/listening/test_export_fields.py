"""The typed decoding of export records: same plays as the plain path, or a refusal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from echotune.listening.export_fields import ExportRecord, decode_records, from_json
from echotune.listening.export_fields import _check_utf8 as check_utf8
from echotune.listening.export_records import PlayColumns, add_export_records, add_records
from tests.listening.conftest import SAMPLE
from tests.listening.legacy import LEGACY_RECORDS

TRACK = "spotify:track:3HiobOOpSpMsi95WBKPBYk"


def typed(data: bytes, video: bool = False) -> PlayColumns:
    out = PlayColumns()
    add_export_records(decode_records(data), video, out)
    return out


def plain(data: bytes, video: bool = False) -> PlayColumns:
    out = PlayColumns()
    add_records(json.loads(data), video, out)
    return out


@pytest.mark.parametrize("path", SAMPLE, ids=lambda p: p.name)
def test_the_real_exports_read_the_same_typed_or_plain(path: Path) -> None:
    data = path.read_bytes()
    video = "Video" in path.name
    assert typed(data, video) == plain(data, video)


def test_the_legacy_format_reads_the_same_typed_or_plain() -> None:
    data = json.dumps(LEGACY_RECORDS, indent=2).encode()
    assert typed(data) == plain(data)
    assert typed(data).records == len(LEGACY_RECORDS)


def test_only_the_fields_used_are_kept() -> None:
    (record,) = decode_records(
        json.dumps(
            [{"ts": "t", "ms_played": 5, "platform": "ios", "new_field": [1], "skipped": None}]
        ).encode()
    )
    assert record == ExportRecord(ts="t", ms_played=5)


@pytest.mark.parametrize(
    "text",
    [
        b'[{"ts": "t", "ms_played": 1, "platform": "\xff"}]',  # not UTF-8, in a field skipped
        b'[{"ts": "t", "ms_played": 1, "\xc3": 1}]',  # ... or in a key
        b'[{"ts": "t", "ms_played": 1, "master_metadata_track_name": "\\ud800"}]',
        b'[{"ts": "t", "ms_played": 1, "offline_timestamp": NaN}]',
        b'[{"ts": "t", "ms_played": 1.0}]',
        b'[{"ts": "t", "ms_played": -1}]',
        b'[{"ts": "t", "ms_played": true}]',
        b'[{"ms_played": 1}]',
        b'[{"ts": "t", "ms_played": 1, "spotify_track_uri": 7}]',
        b'["text"]',
    ],
)
def test_what_the_types_do_not_fit_is_refused_for_the_plain_path(text: bytes) -> None:
    with pytest.raises(ValueError):
        decode_records(text)


def test_plain_values_read_as_the_typed_ones_would() -> None:
    value = {
        "ts": "t",
        "ms_played": 3,
        "spotify_track_uri": 7,  # not text: absent
        "reason_start": "clickrow",
        "skipped": "yes",  # kept as it is: only `true` makes a skip
        "episode_name": 0,  # kept: any value makes an episode
    }
    assert from_json(value) == ExportRecord(
        ts="t", ms_played=3, reason_start="clickrow", skipped="yes", episode_name=0
    )
    for bad in ("text", {"ts": 1, "ms_played": 1}, {"ts": "t", "ms_played": True}, {"ts": "t"}):
        assert from_json(bad) is None


def test_utf8_is_checked_across_every_piece_boundary() -> None:
    good = ("x" * 4090 + '"é"' + "मेरा" * 3000 + '"').encode()
    check_utf8(good)
    for pos in range(4080, 4110):
        for bad in (b"\xff", b"\xc3", b"\xe0\xa4", b"\xa9"):
            data = good[:pos] + bad + good[pos:]
            try:
                data.decode("utf-8", "surrogatepass")
                valid = True
            except UnicodeDecodeError:
                valid = False
            try:
                check_utf8(data)
                checked = True
            except UnicodeDecodeError:
                checked = False
            assert checked == valid, (pos, bad)


def test_a_record_with_a_track_is_a_play() -> None:
    data = json.dumps(
        [{"ts": "2023-02-25T11:20:37Z", "ms_played": 40_000, "spotify_track_uri": TRACK}]
    )
    out = typed(data.encode())
    assert out.track_ids == ["3HiobOOpSpMsi95WBKPBYk"]
    assert out.played_at == ["2023-02-25T11:20:37.000+00:00"]
