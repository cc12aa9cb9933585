"""No invented tracks: every track line in a reply must name a catalog track.

Lines shaped like a track ("1. Title — Artist", "- Title by Artist",
'"Title" by Artist') are checked against the tracks tools returned in this
conversation and, failing that, against the catalog. A line naming a track the
catalog does not have is dropped, never shown as if real.
"""

from __future__ import annotations

import re

from echotune.chat.tracks import TrackFinder
from echotune.errors import NotFound
from echotune.llm.types import JSONValue

_TRACK_LINE = re.compile(
    r"^\s*(?:\d+[.)]|[-*•])?\s*[\"“]?(?P<title>[^\"”\n—–]+?)[\"”]?\s+(?:—|–|-|by)\s+"
    r"(?P<artist>[^\n(]+?)\s*(?:\(.*\))?\s*$",
    re.IGNORECASE,
)


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


class ReplyVerifier:
    def __init__(self, finder: TrackFinder) -> None:
        self._finder = finder

    async def line_ok(self, line: str, shown: dict[str, dict[str, JSONValue]]) -> bool:
        match = _TRACK_LINE.match(line)
        if match is None or len(line) > 300:
            return True  # not a track line
        flat = _key(line)
        for track in shown.values():
            name, by = _key(str(track.get("name", ""))), _key(str(track.get("artist", "")))
            if name and name in flat and by in flat:
                return True  # a track a tool returned, however the line is punctuated
        title = _key(match["title"])
        if not _looks_listed(line):
            return True  # prose with "by" in it, not a list of tracks
        try:
            found = await self._finder.find(f"{match['title']} by {match['artist']}")
        except NotFound:
            return False
        return _key(found.name) == title

    async def clean(self, text: str, shown: dict[str, dict[str, JSONValue]]) -> tuple[str, int]:
        kept: list[str] = []
        dropped = 0
        for line in text.split("\n"):
            if await self.line_ok(line, shown):
                kept.append(line)
            else:
                dropped += 1
        return "\n".join(kept), dropped


def _looks_listed(line: str) -> bool:
    stripped = line.lstrip()
    return bool(re.match(r"(\d+[.)]|[-*•])\s", stripped)) or "—" in line or "–" in line
