"""Spotify's errors turned into EchoTune's, so the API answers 403/409/429/502, never 500.

The messages tell the user what to do next; none of them carries a token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from echotune.errors import (
    Conflict,
    EchotuneError,
    Forbidden,
    NotFound,
    RateLimited,
    UpstreamError,
)
from echotune.spotify.errors import (
    SpotifyAuthError,
    SpotifyError,
    SpotifyForbidden,
    SpotifyNoActiveDevice,
    SpotifyNotFound,
    SpotifyPremiumRequired,
    SpotifyRateLimited,
    SpotifyServerError,
    SpotifyTimeout,
    SpotifyTokenRevoked,
    SpotifyUnavailable,
)

RECONNECT = "log in again at /auth/login; your EchoTune data is kept"


def translate(exc: SpotifyError) -> EchotuneError:
    """The EchoTune error a caller should see for a Spotify failure."""
    if isinstance(exc, SpotifyRateLimited):
        wait = max(1, round(exc.retry_after))
        return RateLimited(f"Spotify asked us to wait {wait} s before the next call", wait)
    if isinstance(exc, SpotifyTokenRevoked):
        return Conflict(f"Spotify access was revoked for this account: {RECONNECT}")
    if isinstance(exc, SpotifyAuthError):
        return Conflict(f"Spotify no longer accepts this account's credentials: {RECONNECT}")
    if isinstance(exc, SpotifyPremiumRequired):
        return Forbidden("Playback control needs a Spotify Premium account")
    if isinstance(exc, SpotifyNoActiveDevice):
        return Conflict(
            "No active Spotify device: start Spotify on a device, or pass device_id "
            "(see GET /api/v1/me/spotify/devices)"
        )
    if isinstance(exc, SpotifyUnavailable):
        return Conflict("Spotify does not offer this to our app; EchoTune's own data is used")
    if isinstance(exc, SpotifyForbidden):
        return Forbidden(f"Spotify refused the request: {exc.reason or 'forbidden'}")
    if isinstance(exc, SpotifyNotFound):
        return NotFound("Spotify does not know that item")
    if isinstance(exc, SpotifyTimeout):
        return UpstreamError("Spotify did not answer in time, even after retries")
    if isinstance(exc, SpotifyServerError):
        return UpstreamError(f"Spotify failed (HTTP {exc.status}), even after retries")
    return UpstreamError(f"Spotify call failed (HTTP {exc.status})")


@asynccontextmanager
async def spotify_errors() -> AsyncIterator[None]:
    """Re-raise any SpotifyError inside the block as its EchoTune error."""
    try:
        yield
    except SpotifyError as exc:
        raise translate(exc) from exc
