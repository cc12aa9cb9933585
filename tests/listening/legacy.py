"""A small export in the legacy `endsong_N.json` format, written from its documented fields."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# A catalog track of the bundled data set, and two made-up ids.
KNOWN_ID = "6f807x0ima9a1j3VPbc7VN"
SONG_ID = "1a1a1a1a1a1a1a1a1a1a1a"
SHORT_ID = "2b2b2b2b2b2b2b2b2b2b2b"


def _record(ts: str, ms: int, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "ts": ts,
        "username": "example_user",
        "platform": "Android OS 9 API 28 (samsung, SM-G960F)",
        "ms_played": ms,
        "conn_country": "SE",
        "ip_addr_decrypted": "192.0.2.10",
        "user_agent_decrypted": "unknown",
        "master_metadata_track_name": None,
        "master_metadata_album_artist_name": None,
        "master_metadata_album_album_name": None,
        "spotify_track_uri": None,
        "episode_name": None,
        "episode_show_name": None,
        "spotify_episode_uri": None,
        "reason_start": "trackdone",
        "reason_end": "trackdone",
        "shuffle": False,
        "skipped": None,
        "offline": False,
        "offline_timestamp": 1572964071330,
        "incognito_mode": False,
    }
    record.update(fields)
    return record


def _song(track_id: str, name: str, artist: str, album: str) -> dict[str, Any]:
    return {
        "master_metadata_track_name": name,
        "master_metadata_album_artist_name": artist,
        "master_metadata_album_album_name": album,
        "spotify_track_uri": f"spotify:track:{track_id}",
    }


LEGACY_RECORDS = [
    _record(
        "2019-11-05T14:28:02Z", 215_000, **_song(SONG_ID, "Never Gonna", "Rick A.", "Whenever")
    ),
    _record(
        "2019-11-05T14:28:20Z",
        12_500,
        reason_end="fwdbtn",
        skipped=True,
        **_song(SHORT_ID, "Short One", "Rick A.", "Whenever"),
    ),
    _record("2019-11-05T14:31:40Z", 200_000, **_song(KNOWN_ID, "I Don't Care", "Ed Sheeran", "X")),
    _record(
        "2019-11-05T15:02:00Z",
        1_800_000,
        episode_name="Episode 12",
        episode_show_name="A Show",
        spotify_episode_uri="spotify:episode:0pvgAxOa0d3mUgGYXxsk1m",
    ),
    _record("2019-11-05T15:10:00Z", 3_000),  # no track, no episode: Spotify left it bare
]


def write_legacy(folder: Path, name: str = "endsong_0.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(LEGACY_RECORDS, indent=2), encoding="utf-8")
    return path
