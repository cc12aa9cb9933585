"""A user's listening statistics over a period: plays, minutes, top tracks, artists, genres."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel

from echotune.listening.models import Play
from echotune.storage.base import ListeningRepo, TrackRepo

Period = Literal["week", "month", "year", "all"]
PERIODS: dict[Period, timedelta | None] = {
    "week": timedelta(days=7),
    "month": timedelta(days=30),
    "year": timedelta(days=365),
    "all": None,
}
_PAGE = 5000
# Enough for years of heavy listening; stats over more would need an aggregate query.
_MAX_PLAYS = 200_000


class TopItem(BaseModel):
    name: str
    plays: int
    artist: str | None = None
    id: str | None = None


class ListeningStats(BaseModel):
    period: Period
    since: datetime | None
    plays: int
    skips: int
    minutes: int
    top_tracks: list[TopItem]
    top_artists: list[TopItem]
    top_genres: list[TopItem]


def _now() -> datetime:
    return datetime.now(UTC)


class StatsService:
    def __init__(
        self, listening: ListeningRepo, tracks: TrackRepo, clock: Callable[[], datetime] = _now
    ) -> None:
        self._listening = listening
        self._tracks = tracks
        self._clock = clock

    async def stats(self, user_id: str, period: Period = "month", top: int = 5) -> ListeningStats:
        span = PERIODS[period]
        since = self._clock() - span if span else None
        plays = await self._plays_since(user_id, since)
        counted = [p for p in plays if not p.skipped]
        by_track = Counter(p.track_id for p in counted)
        tracks = {t.id: t for t in await self._tracks.get_many([i for i, _ in by_track.most_common(200)])}
        by_artist: Counter[str] = Counter()
        for track_id, n in by_track.items():
            track = tracks.get(track_id)
            if track is not None:
                by_artist[track.artist_name] += n
        genres = Counter(p.genre for p in counted if p.genre)
        return ListeningStats(
            period=period,
            since=since,
            plays=len(counted),
            skips=len(plays) - len(counted),
            minutes=round(sum(p.ms_played for p in plays) / 60_000),
            top_tracks=[
                TopItem(id=i, name=tracks[i].name, artist=tracks[i].artist_name, plays=n)
                for i, n in by_track.most_common(top + 20) if i in tracks
            ][:top],
            top_artists=[TopItem(name=a, plays=n) for a, n in by_artist.most_common(top)],
            top_genres=[TopItem(name=g, plays=n) for g, n in genres.most_common(top)],
        )

    async def _plays_since(self, user_id: str, since: datetime | None) -> list[Play]:
        plays: list[Play] = []
        before: datetime | None = None
        while len(plays) < _MAX_PLAYS:
            page = await self._listening.page(user_id, before, _PAGE)
            fresh = [p for p in page if since is None or p.played_at >= since]
            plays.extend(fresh)
            if len(page) < _PAGE or len(fresh) < len(page):
                break
            before = page[-1].played_at
        return plays
