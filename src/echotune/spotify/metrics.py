"""Prometheus metrics of the Spotify client, on the registry the application passes in.

Endpoints are labelled by template (`/playlists/{id}/items`), never by raw path, so label
cardinality stays bounded however many users, playlists and tracks go through.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from prometheus_client import CollectorRegistry, Counter

from echotune.spotify.errors import SpotifyTimeout
from echotune.spotify.transport import SpotifyRequest, SpotifyResponse, Transport

# Every literal path segment of the Web API spec and the accounts service; anything else
# in a path is an id, a user name or a category, and becomes {id}.
_LITERALS = frozenset(
    {
        *("albums", "artists", "audio-analysis", "audio-features", "audiobooks", "browse"),
        *("available-genre-seeds", "categories", "chapters", "contains", "currently-playing"),
        *("devices", "episodes", "featured-playlists", "followers", "following", "images"),
        *("items", "library", "markets", "me", "new-releases", "next", "pause", "play"),
        *("player", "playlists", "previous", "queue", "recently-played", "recommendations"),
        *("related-artists", "repeat", "search", "seek", "shows", "shuffle", "top", "top-tracks"),
        *("tracks", "users", "volume", "api", "token", "authorize"),
    }
)
# A segment right after one of these is an id, except after `/me/<noun>` (`/me/tracks/contains`).
_ID_PARENTS = frozenset(
    {
        *("users", "playlists", "albums", "artists", "tracks", "shows", "episodes"),
        *("audiobooks", "chapters", "audio-features", "audio-analysis", "categories"),
    }
)


def endpoint_template(url: str) -> str:
    """`https://api.spotify.com/v1/playlists/37i9/items` -> `/playlists/{id}/items`."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if segments and segments[0] == "v1":
        segments = segments[1:]
    out: list[str] = []
    for seg in segments:
        # Look at what we emitted, not the raw path: after an id, nothing is a parent.
        parent = out[-1] if out else ""
        grandparent = out[-2] if len(out) > 1 else ""
        is_id = parent in _ID_PARENTS and grandparent != "me"
        out.append("{id}" if is_id or seg not in _LITERALS else seg)
    return "/" + "/".join(out)


class SpotifyMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.calls = Counter(
            "echotune_spotify_calls_total",
            "HTTP calls to Spotify by endpoint template, method and status",
            ["endpoint", "method", "status"],
            registry=registry,
        )
        self.rate_limited = Counter(
            "echotune_spotify_rate_limited_total",
            "429 answers from Spotify by endpoint template",
            ["endpoint"],
            registry=registry,
        )
        self.waited = Counter(
            "echotune_spotify_wait_seconds_total",
            "Seconds spent waiting before calls, by reason (budget, retry_after, backoff)",
            ["reason"],
            registry=registry,
        )
        self.cache_hits = Counter(
            "echotune_spotify_cache_hits_total",
            "Responses served from the conditional cache (fresh, or revalidated by a 304)",
            ["kind"],
            registry=registry,
        )
        self.latency = Counter(
            "echotune_spotify_call_seconds_total",
            "Total seconds spent in HTTP calls to Spotify, by endpoint template",
            ["endpoint"],
            registry=registry,
        )

    def wait(self, reason: str, seconds: float) -> None:
        if seconds > 0:
            self.waited.labels(reason).inc(seconds)


class MeteredTransport:
    """Counts every call that reaches the network (so retries count once each)."""

    def __init__(self, inner: Transport, metrics: SpotifyMetrics) -> None:
        self._inner = inner
        self._metrics = metrics

    async def send(self, request: SpotifyRequest) -> SpotifyResponse:
        endpoint = endpoint_template(request.url)
        method = request.method.upper()
        start = time.perf_counter()
        try:
            response = await self._inner.send(request)
        except SpotifyTimeout:
            self._metrics.calls.labels(endpoint, method, "timeout").inc()
            raise
        finally:
            self._metrics.latency.labels(endpoint).inc(time.perf_counter() - start)
        self._metrics.calls.labels(endpoint, method, str(response.status)).inc()
        if response.status == 429:
            self._metrics.rate_limited.labels(endpoint).inc()
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
