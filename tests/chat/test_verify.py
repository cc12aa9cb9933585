"""No invented tracks: lines naming tracks the catalog lacks are dropped."""

from __future__ import annotations

from echotune.catalog.models import Track
from echotune.chat.tracks import TrackFinder
from echotune.chat.verify import ReplyVerifier
from echotune.llm.types import JSONValue
from echotune.storage.base import Storage

TRACKS = (
    Track(id="4uLU6hMCjMI75M1A2tKUQC", name="Get Lucky", artist_id="a", artist_name="Daft Punk"),
    Track(id="0VjIjW4GlUZAMYd2vXMi3b", name="Say So - Remix", artist_id="b", artist_name="Doja Cat"),
)
REPLY = """Here you go:
1. Say So - Remix — Doja Cat · fits your mood
2. Get Lucky — Daft Punk
3. Moonlight Sonata in Space — The Imaginary Band
- Totally Real Song by Nobody Famous
Enjoy the music by the way."""


async def test_unknown_track_lines_are_dropped_known_and_prose_kept(storage: Storage) -> None:
    await storage.tracks.upsert_many(TRACKS)
    verifier = ReplyVerifier(TrackFinder(storage.tracks))
    # Line 1 was returned by a tool; line 2 was not, but the catalog has it.
    shown: dict[str, dict[str, JSONValue]] = {
        TRACKS[1].id: {"id": TRACKS[1].id, "name": "Say So - Remix", "artist": "Doja Cat"},
    }
    text, dropped = await verifier.clean(REPLY, shown)
    assert dropped == 2
    assert "Imaginary" not in text and "Nobody Famous" not in text
    assert "Say So - Remix" in text and "Get Lucky" in text and "Enjoy the music" in text
