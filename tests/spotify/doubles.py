"""Test doubles for the Spotify client: a scripted transport, a fake clock, static tokens."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from echotune.spotify import SpotifyRequest, SpotifyResponse

Handler = Callable[[SpotifyRequest], SpotifyResponse | Awaitable[SpotifyResponse]]

TOKEN = "tok-SECRET-access-1f2e3d"
FRESH_TOKEN = "tok-SECRET-access-fresh-9a8b"


def respond(
    status: int = 200, body: object = None, headers: Mapping[str, str] | None = None
) -> SpotifyResponse:
    content = b"" if body is None else json.dumps(body).encode()
    return SpotifyResponse(status, dict(headers or {}), content)


def spotify_error(status: int, message: str, reason: str | None = None) -> SpotifyResponse:
    error: dict[str, object] = {"status": status, "message": message}
    if reason:
        error["reason"] = reason
    return respond(status, {"error": error})


class ScriptedTransport:
    """Answers from `handler` (or from a queue of canned responses) and records each request."""

    def __init__(self, handler: Handler | None = None) -> None:
        self.handler = handler
        self.queue: list[SpotifyResponse | BaseException] = []
        self.requests: list[SpotifyRequest] = []
        self.closed = False

    def paths(self) -> list[str]:
        return [urlsplit(r.url).path for r in self.requests]

    async def send(self, request: SpotifyRequest) -> SpotifyResponse:
        self.requests.append(request)
        if self.queue:
            item = self.queue.pop(0)
            if isinstance(item, BaseException):
                raise item
            return item
        if self.handler is None:
            return respond(200, {})
        result = self.handler(request)
        if isinstance(result, SpotifyResponse):
            return result
        return await result

    async def aclose(self) -> None:
        self.closed = True


@dataclass
class FakeTime:
    """A clock that only moves when someone sleeps; every sleep is recorded."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class StaticTokens:
    """A TokenSource whose refresh hands out FRESH_TOKEN and counts how often it was asked."""

    def __init__(self, key: str = "user-1", token: str = TOKEN) -> None:
        self.key = key
        self.token = token
        self.refreshes = 0

    async def access_token(self) -> str:
        return self.token

    async def refreshed(self) -> str:
        self.refreshes += 1
        self.token = FRESH_TOKEN
        return self.token


def request(
    path: str = "/v1/me",
    method: str = "GET",
    token_key: str | None = "user-1",
    **kwargs: object,
) -> SpotifyRequest:
    return SpotifyRequest(
        method,
        f"https://api.test{path}",
        headers={"Authorization": f"Bearer {TOKEN}"},
        token_key=token_key,
        **kwargs,  # type: ignore[arg-type]
    )


def track_json(track_id: str, **extra: object) -> dict[str, object]:
    return {
        "id": track_id,
        "name": f"Song {track_id}",
        "uri": f"spotify:track:{track_id}",
        "type": "track",
        "duration_ms": 200_000,
        "explicit": False,
        "popularity": 40,
        "is_local": False,
        "artists": [{"id": "ar1", "name": "Artist", "type": "artist", "uri": "spotify:artist:ar1"}],
        "album": {"id": "al1", "name": "Album", "release_date": "2020-01-01", "images": []},
        **extra,
    }


def features_json(track_id: str) -> dict[str, object]:
    return {
        "id": track_id,
        "acousticness": 0.1,
        "danceability": 0.5,
        "energy": 0.7,
        "instrumentalness": 0.0,
        "key": 5,
        "liveness": 0.1,
        "loudness": -6.0,
        "mode": 1,
        "speechiness": 0.05,
        "tempo": 120.0,
        "time_signature": 4,
        "valence": 0.4,
        "duration_ms": 200_000,
        "type": "audio_features",
        "uri": f"spotify:track:{track_id}",
        "analysis_url": "a",
        "track_href": "t",
    }


def page_json(items: Sequence[object], offset: int, total: int, limit: int) -> dict[str, object]:
    more = offset + len(items) < total
    return {
        "href": "h",
        "items": items,
        "limit": limit,
        "offset": offset,
        "total": total,
        "next": f"https://api.test/next?offset={offset + limit}" if more else None,
        "previous": None,
    }
