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
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from echotune.listening.export_fields import ExportRecord, from_json
from echotune.listening.models import SKIP_THRESHOLD_MS
from echotune.listening.play_batch import iso_ms

SkipKind = Literal["podcast", "audiobook", "video", "no_track"]
TRACK_URI_PREFIX = "spotify:track:"
_ID_LEN = 22
# How every export writes `ts`; its canonical text needs no datetime round trip.
_PLAIN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"
_PLAIN_TS = re.compile(_PLAIN)
# Times joined by newlines, all plain. (A time holding a newline cannot match:
# n times then hold n - 1 newlines, one per join, so each is one plain time.)
_PLAIN_TS_LINES = re.compile(f"{_PLAIN}(?:\n{_PLAIN})*")
_PREFIX_LEN = len(TRACK_URI_PREFIX)
_MAX_CONTEXT = 200
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
    firsts: dict[str, ExportRecord] = field(default_factory=dict)
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


def _skip_kind(record: ExportRecord, video: bool) -> SkipKind:
    if video:
        return "video"
    if record.spotify_episode_uri is not None or record.episode_name is not None:
        return "podcast"
    book = (record.audiobook_uri, record.audiobook_title, record.audiobook_chapter_uri)
    if any(v is not None for v in book):
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
    """Append the plays among `records` (as `json.loads` gives them) to `out`
    and count the rest; RecordError at a bad one.

    The slow path, for chunks `decode_records` could not read: one record at
    a time, so the first bad record is the one reported, in its own words.
    """
    for i, value in enumerate(records):
        record = from_json(value)
        try:
            if record is None:
                raise RecordError(i, "")
            add_export_records([record], video, out)
        except RecordError:
            raise RecordError(i, _bad_record(value)) from None


def play_times(stamps: list[str]) -> list[str]:
    """The canonical text of each `ts`; RecordError at the first that is not a time.

    Exports write every `ts` in one plain form, so one regex match over all of
    them and a `fromisoformat` each (which finds a 2023-02-30) do the common
    case: half the cost of a match and a parse per record.
    """
    if _PLAIN_TS_LINES.fullmatch("\n".join(stamps)) is not None:
        try:
            deque(map(datetime.fromisoformat, stamps), maxlen=0)  # run for the checks
        except ValueError:
            pass  # the loop below finds which, and says so
        else:
            return [ts[:19] + ".000+00:00" for ts in stamps]
    times = []
    for i, ts in enumerate(stamps):
        try:
            times.append(iso_time(ts))
        except ValueError:
            raise RecordError(i, f"a record has an invalid 'ts': {ts[:40]!r}") from None
    return times


def add_export_records(records: list[ExportRecord], video: bool, out: PlayColumns) -> None:
    """Append the plays among `records` to `out` and count the rest; RecordError
    at one whose `ts` is not a time (its other fields are already checked).

    This is the import's innermost loop, written for speed: locals, no
    per-record model, one attribute read per field.
    """
    track_ids, played_at, ms_played = out.track_ids, out.played_at, out.ms_played
    skipped, contexts, firsts = out.skipped, out.contexts, out.firsts
    times = play_times([r.ts for r in records])
    for record, when in zip(records, times):
        uri = record.spotify_track_uri
        if uri is None or not uri.startswith(TRACK_URI_PREFIX):
            out.skipped_kinds[_skip_kind(record, video)] += 1
            continue
        track_id = uri[_PREFIX_LEN:]
        # [0-9A-Za-z]{22}, without a regex call: isalnum() of ASCII text is exactly that.
        if not (len(track_id) == _ID_LEN and track_id.isascii() and track_id.isalnum()):
            out.skipped_kinds["video" if video else "no_track"] += 1
            continue
        ms = record.ms_played
        track_ids.append(track_id)
        played_at.append(when)
        ms_played.append(ms)
        skipped.append(ms < SKIP_THRESHOLD_MS or record.skipped is True)
        reason = record.reason_start
        contexts.append(None if reason is None else reason[:_MAX_CONTEXT])
        if track_id not in firsts:
            firsts[track_id] = record
    out.records += len(records)


def track_meta(record: ExportRecord) -> TrackMeta:
    # An empty name is no name.
    return TrackMeta(
        record.master_metadata_track_name or None,
        record.master_metadata_album_artist_name or None,
        record.master_metadata_album_album_name or None,
    )
