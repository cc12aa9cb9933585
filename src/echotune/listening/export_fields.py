"""The fields of a streaming-history record the import reads, decoded straight from JSON.

A chunk of records is decoded by msgspec into `ExportRecord`s: it builds
only these fields and skips the dozen others without making objects of them.
On a 1 MB chunk of a pretty-printed export that took 1.7 µs a record, against
6.1 µs for `json.loads` into dicts (the import's costliest step before).

The struct's types are preconditions, not the rules: a chunk that does not
fit them (a record without `ts`, a float `ms_played`, a NaN, a lone surrogate
escape, which msgspec refuses and `json` reads) raises here, and the reader
then decodes it with the standard library into plain values, which
`export_records` judges by the same rules and in the same words as always.
So a chunk decoded here comes out exactly as its plain values would.

msgspec does not check the UTF-8 of what it skips, and a file that is not
UTF-8 is corrupt (it always was rejected), so a chunk that is not ASCII is
checked first, in small pieces: 0.5 µs a record where most records hold a
non-ASCII name, against 1.2 µs for one decode of the whole chunk.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

_UTF8_PIECE = 1 << 12


class ExportRecord(msgspec.Struct, gc=False):
    """One record; fields it lacks, or holds as null, are None.

    Fields that are only tested for presence or for `true` keep any JSON
    value, so an odd one does not send a whole chunk down the slow path.
    (gc=False: decoded JSON cannot form a cycle, so the garbage collector
    need not track one more object per record.)
    """

    ts: str
    ms_played: Annotated[int, msgspec.Meta(ge=0)]
    spotify_track_uri: str | None = None
    reason_start: str | None = None
    skipped: object = None
    master_metadata_track_name: str | None = None
    master_metadata_album_artist_name: str | None = None
    master_metadata_album_album_name: str | None = None
    spotify_episode_uri: object = None
    episode_name: object = None
    audiobook_uri: object = None
    audiobook_title: object = None
    audiobook_chapter_uri: object = None


_DECODER = msgspec.json.Decoder(list[ExportRecord])


def decode_records(data: bytes) -> list[ExportRecord]:
    """The records of `data`, a JSON array of objects.

    ValueError (or RecursionError) when `data` is not UTF-8, not valid JSON,
    or has a record that does not fit `ExportRecord`.
    """
    if not data.isascii():
        _check_utf8(data)
    return _DECODER.decode(data)


def _check_utf8(data: bytes) -> None:
    """UnicodeDecodeError unless `data` is UTF-8 (surrogates let through, as
    `json.loads` lets them through in bytes)."""
    # Piece by piece, each cut before a quote: an ASCII byte, so no character
    # spans a cut, and a piece with no other bytes needs no decoding. Small
    # pieces also keep their throwaway text small: decoding whole chunks made
    # malloc keep the freed megabytes (+15 MB resident for the import).
    start, size = 0, len(data)
    while start < size:
        end = data.find(b'"', start + _UTF8_PIECE)
        end = size if end < 0 else end
        piece = data[start:end]
        if not piece.isascii():
            piece.decode("utf-8", "surrogatepass")
        start = end


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def from_json(value: object) -> ExportRecord | None:
    """`value` as `json.loads` gives it, read as a record; None without a usable
    `ts` (text) and `ms_played` (a whole number, 0 or more). A text field that
    holds something else reads as absent."""
    if not isinstance(value, dict):
        return None
    get = value.get
    ts, ms = get("ts"), get("ms_played")
    if not isinstance(ts, str) or type(ms) is not int or ms < 0:
        return None
    return ExportRecord(
        ts=ts,
        ms_played=ms,
        spotify_track_uri=_text(get("spotify_track_uri")),
        reason_start=_text(get("reason_start")),
        skipped=get("skipped"),
        master_metadata_track_name=_text(get("master_metadata_track_name")),
        master_metadata_album_artist_name=_text(get("master_metadata_album_artist_name")),
        master_metadata_album_album_name=_text(get("master_metadata_album_album_name")),
        spotify_episode_uri=get("spotify_episode_uri"),
        episode_name=get("episode_name"),
        audiobook_uri=get("audiobook_uri"),
        audiobook_title=get("audiobook_title"),
        audiobook_chapter_uri=get("audiobook_chapter_uri"),
    )
