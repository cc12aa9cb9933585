"""Spotify streaming-history records: which are plays, and what a play is.

Both export formats are understood, since they share every field used here:
the extended streaming history (`Streaming_History_Audio_*.json`,
`Streaming_History_Video_*.json`, with `audiobook_*` fields) and the legacy
`endsong_N.json` (with `username`, `ip_addr_decrypted`, `user_agent_decrypted`).

- Every record needs `ts` (ISO-8601, when the stream ENDED, UTC) and a
  non-negative integer `ms_played`; a record without them makes the file
  corrupt (`RecordError`), as does an element that is not an object.
- A record with a `spotify:track:<22 base62>` URI is a play. The others are
  skipped and counted by kind: `video` (any of them in a Video file, video
  podcasts included), else `podcast` (an episode), `audiobook`, or
  `no_track` (local files, records Spotify left without metadata).
- A play is a skip when `ms_played` < SKIP_THRESHOLD_MS or `skipped` is true.
- Its context is `reason_start` (clickrow, trackdone, fwdbtn ...): why the
  play began says more about taste than the device does.
- `offline_timestamp` (seconds or milliseconds) is not used: `ts` is the end
  of the stream for offline plays too; in real exports `offline_timestamp`
  is about `ts - ms_played`, the start.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from echotune.listening.models import SKIP_THRESHOLD_MS
from echotune.listening.play_batch import iso_ms

SkipKind = Literal["podcast", "audiobook", "video", "no_track"]
TRACK_URI_PREFIX = "spotify:track:"
_TRACK_ID = re.compile(r"[0-9A-Za-z]{22}")
# How every export writes `ts`; its canonical text needs no datetime round trip.
_PLAIN_TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_PREFIX_LEN = len(TRACK_URI_PREFIX)
_MAX_CONTEXT = 200
_AUDIOBOOK_FIELDS = ("audiobook_uri", "audiobook_title", "audiobook_chapter_uri")
_EPISODE_FIELDS = ("spotify_episode_uri", "episode_name")
_VIDEO_FILE = re.compile(r"streaming_history_video", re.IGNORECASE)


class RecordError(Exception):
    """Record `index` (within the list given) makes the file unusable."""

    def __init__(self, index: int, reason: str) -> None:
        super().__init__(reason)
        self.index = index
        self.reason = reason


def is_video_file(name: str) -> bool:
    return _VIDEO_FILE.search(name) is not None


@dataclass(frozen=True)
class TrackMeta:
    """What a record says about its track, for tracks the catalog lacks."""

    name: str | None
    artist_name: str | None
    album_name: str | None


@dataclass
class PlayColumns:
    """Plays parsed so far, column by column, and what was skipped."""

    track_ids: list[str] = field(default_factory=list)
    played_at: list[str] = field(default_factory=list)
    ms_played: list[int] = field(default_factory=list)
    skipped: list[bool] = field(default_factory=list)
    contexts: list[str | None] = field(default_factory=list)
    # The first record of each track id, read for metadata only when the
    # catalog turns out to lack the track (rarely, after the first batches).
    firsts: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped_kinds: Counter[SkipKind] = field(default_factory=Counter)
    records: int = 0


def iso_time(ts: str) -> str:
    """`ts` in the canonical text of `play_batch` (ValueError if it is not ISO-8601).

    A time without a zone is UTC, which is what the export's times are.
    """
    value = datetime.fromisoformat(ts)  # validates even the plain form: no 2023-02-30
    if _PLAIN_TS.fullmatch(ts) is not None:
        return ts[:19] + ".000+00:00"
    return iso_ms(value)


def _skip_kind(record: dict[str, Any], video: bool) -> SkipKind:
    if video:
        return "video"
    if any(record.get(f) is not None for f in _EPISODE_FIELDS):
        return "podcast"
    if any(record.get(f) is not None for f in _AUDIOBOOK_FIELDS):
        return "audiobook"
    return "no_track"


def _bad_record(record: object) -> str:
    if not isinstance(record, dict):
        return f"a record is not a JSON object but {type(record).__name__}"
    if "endTime" in record and "msPlayed" in record:
        return (
            "this is the basic StreamingHistory format, which has no track ids; "
            "import the extended streaming history instead"
        )
    ts, ms = record.get("ts"), record.get("ms_played")
    if not isinstance(ts, str):
        return "a record has no 'ts' (the time the stream ended)"
    if type(ms) is not int or ms < 0:
        return "a record has no 'ms_played' (a whole number of milliseconds, 0 or more)"
    return f"a record has an invalid 'ts': {ts[:40]!r}"


def add_records(records: list[Any], video: bool, out: PlayColumns) -> None:
    """Append the plays among `records` to `out` and count the rest; RecordError at a bad one.

    This is the import's innermost loop, written for speed: locals, no
    per-record model, one dict lookup per field.
    """
    track_ids, played_at, ms_played = out.track_ids, out.played_at, out.ms_played
    skipped, contexts, firsts = out.skipped, out.contexts, out.firsts
    id_ok, plain, parse = _TRACK_ID.fullmatch, _PLAIN_TS.fullmatch, datetime.fromisoformat
    for i, record in enumerate(records):
        try:
            ms, ts = record["ms_played"], record["ts"]
            parse(ts)  # validates even the plain form: no 2023-02-30
            when = ts[:19] + ".000+00:00" if plain(ts) else iso_time(ts)
            if type(ms) is not int or ms < 0:
                raise TypeError
        except (TypeError, KeyError, ValueError):
            raise RecordError(i, _bad_record(record)) from None
        uri = record.get("spotify_track_uri")
        if not (isinstance(uri, str) and uri.startswith(TRACK_URI_PREFIX)):
            out.skipped_kinds[_skip_kind(record, video)] += 1
            continue
        track_id = uri[_PREFIX_LEN:]
        if id_ok(track_id) is None:
            out.skipped_kinds["video" if video else "no_track"] += 1
            continue
        track_ids.append(track_id)
        played_at.append(when)
        ms_played.append(ms)
        skipped.append(ms < SKIP_THRESHOLD_MS or record.get("skipped") is True)
        reason = record.get("reason_start")
        contexts.append(reason[:_MAX_CONTEXT] if isinstance(reason, str) else None)
        if track_id not in firsts:
            firsts[track_id] = record
    out.records += len(records)


def track_meta(record: dict[str, Any]) -> TrackMeta:
    return TrackMeta(
        _text(record.get("master_metadata_track_name")),
        _text(record.get("master_metadata_album_artist_name")),
        _text(record.get("master_metadata_album_album_name")),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
