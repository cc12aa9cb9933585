"""create_playlist: a playlist of N tracks or about M minutes, optionally pushed to Spotify."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

from echotune.catalog.models import Track
from echotune.chat.arguments import Args
from echotune.chat.tracks import TrackFinder, track_json
from echotune.llm.types import JSONValue
from echotune.playlists.spotify_push import PlaylistPushService, PushRequest
from echotune.recommend.personal.models import PersonalRequest
from echotune.recommend.personal.service import PersonalRecommendationService
from echotune.users.models import User

DEFAULT_TRACKS = 20
POOL = 100  # the most a recommendation request returns
AVERAGE_TRACK_MS = 210_000

RequestBuilder = Callable[[Args, int], Awaitable[PersonalRequest]]


def _duration(track: Track) -> int:
    return track.duration_ms or (track.features.duration_ms if track.features else 0) or (
        AVERAGE_TRACK_MS
    )


def fill_minutes(tracks: list[Track], minutes: int) -> list[Track]:
    """Tracks in order until the playlist is as close to `minutes` as whole tracks allow."""
    target = minutes * 60_000
    chosen: list[Track] = []
    total = 0
    for track in tracks:
        length = _duration(track)
        if total + length > target and abs(target - total) <= abs(target - total - length):
            continue
        chosen.append(track)
        total += length
        if total >= target:
            break
    return chosen


class PlaylistTool:
    def __init__(
        self,
        personal: PersonalRecommendationService,
        finder: TrackFinder,
        push: PlaylistPushService,
    ) -> None:
        self._personal = personal
        self._finder = finder
        self._push = push

    async def create(
        self, args: Args, user: User, build: RequestBuilder
    ) -> dict[str, JSONValue]:
        minutes = args.integer("minutes", None, 1, 600)
        n_tracks = args.integer("n_tracks", None if minutes else DEFAULT_TRACKS, 1, POOL)
        want = POOL if minutes else (n_tracks or DEFAULT_TRACKS)
        found = await self._personal.recommend(user.id, await build(args, want))
        known = await self._finder.known([t.id for t in found.items])
        ranked = [known[t.id] for t in found.items if t.id in known]
        tracks = fill_minutes(ranked, minutes) if minutes else ranked[:want]
        name = args.optional("name") or _default_name(args, minutes)
        playlist: dict[str, JSONValue] = {
            "name": name,
            "tracks": [track_json(t) for t in tracks],
            "duration_ms": sum(_duration(t) for t in tracks),
        }
        spotify: JSONValue = None
        if args.flag("push_to_spotify") and tracks:
            key = hashlib.sha256(f"{user.id}|{name}|{','.join(t.id for t in tracks)}".encode())
            pushed = await self._push.push(user.id, PushRequest(
                name=name, description="Made with EchoTune", track_ids=[t.id for t in tracks],
                request_key="chat-" + key.hexdigest()[:40]))  # fmt: skip
            spotify = {"id": pushed.playlist_id, "url": pushed.url}
        return {"playlist": playlist, "spotify": spotify}


def _default_name(args: Args, minutes: int | None) -> str:
    words = [w for w in (args.optional("mood"), args.optional("activity")) if w]
    length = f"{minutes}-minute " if minutes else ""
    return f"EchoTune {length}{' '.join(words) + ' ' if words else ''}mix".replace("  ", " ")
