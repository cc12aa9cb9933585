"""The bundled catalog's playlists read as listeners, with the tracks they hold.

One pass over the catalog CSV gives both sides of the hybrid evaluation: the
tracks (parsed as the importer parses them, the first copy of a repeated id
kept, as the importer keeps it) and each playlist's name, genre and distinct
tracks. A playlist's name can say what it is for ("Hard Rock Workout"),
which `context_of_name` turns into the ranker's mood/activity targets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from echotune.catalog.csv_rows import CsvLayout, RowError, parse_row
from echotune.catalog.csv_source import CsvSource
from echotune.catalog.models import Track
from echotune.errors import InvalidInput
from echotune.recommend.personal.context import (
    ACTIVITIES,
    MOODS,
    SYNONYMS,
    Targets,
    context_targets,
)

_WORD = re.compile(r"[a-z]+")
PLAYLIST_COLUMNS = ("playlist_id", "playlist_name", "playlist_genre", "track_id")


@dataclass
class Playlist:
    id: str
    name: str
    genre: str | None
    tracks: list[str] = field(default_factory=list)


def read_catalog_playlists(path: Path) -> tuple[list[Track], list[Playlist]]:
    """Tracks (first copy of each id) and playlists (distinct tracks, file order)."""
    tracks: dict[str, Track] = {}
    playlists: dict[str, Playlist] = {}
    members: set[tuple[str, str]] = set()
    with CsvSource(path) as source:
        header = [h.strip() for h in source.header()]
        if any(c not in header for c in PLAYLIST_COLUMNS):
            raise InvalidInput(f"{path}: needs the columns {', '.join(PLAYLIST_COLUMNS)}")
        pid, name, genre, tid = (header.index(c) for c in PLAYLIST_COLUMNS)
        layout = CsvLayout(header)
        for _, row in source.records():
            if len(row) != layout.width:
                continue
            if row[tid] not in tracks:
                try:
                    tracks[row[tid]] = parse_row(layout, row)
                except RowError:
                    pass  # as on import: skipped, yet still a member of its playlist
            playlist = playlists.setdefault(
                row[pid], Playlist(row[pid], row[name], row[genre] or None)
            )
            if (row[pid], row[tid]) not in members:
                members.add((row[pid], row[tid]))
                playlist.tracks.append(row[tid])
    return list(tracks.values()), list(playlists.values())


def context_of_name(name: str) -> Targets:
    """The targets of the moods and activities a playlist's name mentions ({} if none)."""
    mood: str | None = None
    activity: str | None = None
    for word in _WORD.findall(name.lower()):
        key = SYNONYMS.get(word, word)
        if key in ACTIVITIES:
            activity = activity or key
        elif key in MOODS:
            mood = mood or key
    return context_targets(mood, activity, None)
