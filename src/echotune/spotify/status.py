"""Spotify's non-2xx answers turned into the typed errors of `errors.py`.

Spotify's error body is `{"error": {"status", "message", "reason"?}}`. Player commands name
NO_ACTIVE_DEVICE and PREMIUM_REQUIRED in `reason` (older answers only in the message).
"""

from __future__ import annotations

from echotune.spotify.errors import (
    SpotifyAuthError,
    SpotifyError,
    SpotifyForbidden,
    SpotifyNoActiveDevice,
    SpotifyNotFound,
    SpotifyPremiumRequired,
    SpotifyRateLimited,
    SpotifyServerError,
    SpotifyUnavailable,
)
from echotune.spotify.transport import SpotifyResponse, retry_after


def error_for(
    what: str,
    response: SpotifyResponse,
    unavailable_on: int | None = None,
    secrets: tuple[str, ...] = (),
) -> SpotifyError:
    """The error for a non-2xx `response` to the call described by `what` ("GET /me").

    Spotify's message is quoted, with any of `secrets` (the bearer token) blanked out in
    case a server ever echoes what it was sent.
    """
    status = response.status
    message, reason = _error_body(response)
    for secret in secrets:
        message = message.replace(secret, "[redacted]") if secret else message
    text = f"{what}: Spotify answered {status}" + (f" ({message})" if message else "")
    if unavailable_on is not None and status == unavailable_on:
        return SpotifyUnavailable(f"{what} is not available to this app", status, reason)
    if status == 401:
        return SpotifyAuthError(text, status, reason)
    if status == 403:
        if reason == "PREMIUM_REQUIRED" or "premium required" in message.lower():
            return SpotifyPremiumRequired(text, status, "PREMIUM_REQUIRED")
        return SpotifyForbidden(text, status, reason)
    if status == 404:
        if reason == "NO_ACTIVE_DEVICE" or "no active device" in message.lower():
            return SpotifyNoActiveDevice(text, status, "NO_ACTIVE_DEVICE")
        return SpotifyNotFound(text, status, reason)
    if status == 429:
        return SpotifyRateLimited(text, retry_after(response) or 0.0)
    if status >= 500:
        return SpotifyServerError(text, status, reason)
    return SpotifyError(text, status, reason)


def _error_body(response: SpotifyResponse) -> tuple[str, str | None]:
    try:
        body = response.json()
    except ValueError:
        return "", None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, str):  # the accounts service's flat shape
        return error, None
    if not isinstance(error, dict):
        return "", None
    message = error.get("message")
    reason = error.get("reason")
    return (
        message[:200] if isinstance(message, str) else "",
        reason if isinstance(reason, str) else None,
    )
