"""The Spotify client's own error tree (the tree itself is drawn in the package docstring).

Messages are built from the method, the endpoint and Spotify's own error text, never from
request headers or bodies, so a token cannot leak into a log line or a traceback.
"""

from __future__ import annotations


class SpotifyError(Exception):
    """Base of every error the Spotify client raises on purpose."""

    def __init__(self, message: str, status: int | None = None, reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.reason = reason


class SpotifyRateLimited(SpotifyError):
    """Spotify asked us to wait longer than the cap, or this token is still held from that."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message, status=429)
        self.retry_after = retry_after


class SpotifyAuthError(SpotifyError):
    """A 401 even after one refresh, or the accounts service refused our credentials."""


class SpotifyTokenRevoked(SpotifyAuthError):
    """The refresh token answered invalid_grant: the user must connect Spotify again."""


class SpotifyForbidden(SpotifyError):
    """A 403; `reason` carries Spotify's reason code when it sent one."""


class SpotifyPremiumRequired(SpotifyForbidden):
    """The action (playback control) needs a Spotify Premium account."""


class SpotifyNotFound(SpotifyError):
    """A 404 on an ordinary resource."""


class SpotifyNoActiveDevice(SpotifyError):
    """A player command (404 NO_ACTIVE_DEVICE) found no active device to act on."""


class SpotifyUnavailable(SpotifyError):
    """The endpoint is closed to this app (403 /audio-features, 404 /recommendations)."""


class SpotifyServerError(SpotifyError):
    """Spotify kept answering 5xx after every retry."""


class SpotifyTimeout(SpotifyError):
    """Timeouts or connection failures after every retry.

    `request_sent` is False when the connection never opened, so even a POST is safe to resend.
    """

    def __init__(self, message: str, request_sent: bool = True) -> None:
        super().__init__(message)
        self.request_sent = request_sent
