"""Parse Spotify's search syntax (`q`) into a TrackQuery.

Supported: free words, quoted phrases, and the field filters `artist:`,
`track:`, `album:`, `genre:` and `year:` (a year or a range `1990-1999`).
Values may be quoted (`artist:"Daft Punk"`). Unknown filters such as `isrc:`
are treated as free words, as Spotify ignores filters a type does not have.
"""

from __future__ import annotations

import re

from echotune.catalog.models import TrackQuery
from echotune.errors import InvalidInput

_TOKEN = re.compile(r'(?:(\w+):)?(?:"([^"]*)"|(\S+))')
_FIELDS = frozenset({"artist", "track", "album", "genre", "year"})
_YEAR = re.compile(r"^(\d{4})(?:-(\d{4}))?$")


def parse_search_query(q: str) -> TrackQuery:
    q = q.strip()
    if not q:
        raise InvalidInput("No search query")
    words: list[str] = []
    fields: dict[str, str] = {}
    for match in _TOKEN.finditer(q):
        field, quoted, bare = match.group(1), match.group(2), match.group(3)
        value = quoted if quoted is not None else bare
        if field and field.lower() in _FIELDS:
            fields[field.lower()] = value.strip()
        else:
            words.extend((f"{field}:{value}" if field else value).split())
    year_from, year_to = _parse_year(fields.pop("year", None))
    return TrackQuery(
        words=tuple(w for w in words if w),
        artist=fields.get("artist") or None,
        track=fields.get("track") or None,
        album=fields.get("album") or None,
        genre=fields.get("genre") or None,
        year_from=year_from,
        year_to=year_to,
    )


def _parse_year(value: str | None) -> tuple[int | None, int | None]:
    if value is None:
        return None, None
    m = _YEAR.match(value)
    if not m:
        raise InvalidInput(f"Invalid year filter '{value}': use YYYY or YYYY-YYYY")
    start = int(m.group(1))
    end = int(m.group(2)) if m.group(2) else start
    if end < start:
        raise InvalidInput(f"Invalid year range '{value}': the end is before the start")
    return start, end
