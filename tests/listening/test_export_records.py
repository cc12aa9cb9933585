"""What a streaming-history record means: play or not, skip or not, when."""

from __future__ import annotations

from typing import Any

import pytest

from echotune.listening.export_records import (
    PlayColumns,
    RecordError,
    add_records,
    is_video_file,
    iso_time,
    play_times,
)

TRACK = "spotify:track:3HiobOOpSpMsi95WBKPBYk"


def rec(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"ts": "2023-02-25T11:20:37Z", "ms_played": 40_000}
    base.update(fields)
    return base


def parse(records: list[Any], video: bool = False) -> PlayColumns:
    out = PlayColumns()
    add_records(records, video, out)
    return out


@pytest.mark.parametrize(
    ("ts", "canonical"),
    [
        ("2023-02-25T11:20:37Z", "2023-02-25T11:20:37.000+00:00"),
        ("2023-02-25T13:20:37+02:00", "2023-02-25T11:20:37.000+00:00"),
        ("2023-02-25T11:20:37", "2023-02-25T11:20:37.000+00:00"),  # no zone: UTC
        ("2023-02-25T11:20:37.123456Z", "2023-02-25T11:20:37.123+00:00"),
        ("2023-02-25 11:20:37Z", "2023-02-25T11:20:37.000+00:00"),
    ],
)
def test_times_become_canonical_utc_text(ts: str, canonical: str) -> None:
    assert iso_time(ts) == canonical


def test_skips_kinds_and_contexts() -> None:
    out = parse(
        [
            rec(spotify_track_uri=TRACK, reason_start="clickrow", skipped=None),
            rec(spotify_track_uri=TRACK, ms_played=29_999, skipped=False),
            rec(spotify_track_uri=TRACK, skipped=True, reason_start="x" * 300),
            rec(spotify_episode_uri="spotify:episode:abc", episode_name="Ep"),
            rec(audiobook_uri="spotify:audiobook:abc"),
            rec(spotify_track_uri="spotify:local:Artist:Album:Title:200"),
            rec(spotify_track_uri="spotify:track:short"),
            rec(),
        ]
    )
    assert out.skipped == [False, True, True]
    assert out.contexts == ["clickrow", None, "x" * 200]
    assert out.track_ids == ["3HiobOOpSpMsi95WBKPBYk"] * 3 and list(out.firsts) == out.track_ids[:1]
    assert dict(out.skipped_kinds) == {"podcast": 1, "audiobook": 1, "no_track": 3}
    assert out.records == 8


def test_in_a_video_file_every_record_without_a_track_is_video() -> None:
    out = parse(
        [rec(spotify_episode_uri="spotify:episode:abc"), rec(), rec(spotify_track_uri=TRACK)],
        video=True,
    )
    assert dict(out.skipped_kinds) == {"video": 2} and len(out.track_ids) == 1
    assert is_video_file("Streaming_History_Video_2023.json")
    assert not is_video_file("Streaming_History_Audio_2023_1.json") and not is_video_file(
        "endsong_0.json"
    )


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ("text", "a record is not a JSON object but str"),
        ([1, 2], "a record is not a JSON object but list"),
        ({"ms_played": 1}, "a record has no 'ts'"),
        ({"ts": 5, "ms_played": 1}, "a record has no 'ts'"),
        ({"ts": "2023-02-25T11:20:37Z"}, "a record has no 'ms_played'"),
        ({"ts": "2023-02-25T11:20:37Z", "ms_played": -1}, "a record has no 'ms_played'"),
        ({"ts": "2023-02-25T11:20:37Z", "ms_played": True}, "a record has no 'ms_played'"),
        ({"ts": "2023-02-25T11:20:37Z", "ms_played": 1.5}, "a record has no 'ms_played'"),
        ({"ts": "yesterday", "ms_played": 1}, "a record has an invalid 'ts': 'yesterday'"),
        ({"endTime": "2019-02-10 14:13", "msPlayed": 1}, "this is the basic StreamingHistory"),
    ],
)
def test_unusable_records_say_why_and_which(record: Any, reason: str) -> None:
    with pytest.raises(RecordError) as caught:
        parse([rec(spotify_track_uri=TRACK), record])
    assert caught.value.index == 1 and caught.value.reason.startswith(reason)


def test_times_are_checked_all_at_once_and_the_first_bad_one_named() -> None:
    plain = ["2023-02-25T11:20:37Z", "2023-02-26T00:00:00Z"]
    assert play_times(plain) == ["2023-02-25T11:20:37.000+00:00", "2023-02-26T00:00:00.000+00:00"]
    mixed = [*plain, "2023-02-25T13:20:37+02:00"]
    assert play_times(mixed)[2] == "2023-02-25T11:20:37.000+00:00"
    for stamps, index in [
        ([*plain, "2023-02-30T11:20:37Z", "x"], 2),  # plain form, no such day
        (["2023-02-25T11:20:37Z\n2023-02-25T11:20:37Z"], 0),  # two plain times in one
        ([*plain, "yesterday"], 2),
    ]:
        with pytest.raises(RecordError) as caught:
            play_times(stamps)
        assert caught.value.index == index
