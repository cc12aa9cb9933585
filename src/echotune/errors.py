"""The EchoTune error tree. Delivery code maps these to HTTP in one place.

EchotuneError
 ├── InvalidInput        the caller sent something malformed or out of range (400)
 ├── Unauthorized        missing, unknown or revoked credentials (401)
 ├── Forbidden           known caller, not allowed (403), e.g. Spotify Premium required
 ├── NotFound            the thing asked for does not exist (404)
 ├── Conflict            the request clashes with current state (409)
 ├── RateLimited         slow down; carries retry_after seconds (429)
 ├── UpstreamError       a service we depend on (Spotify, an LLM) failed (502)
 └── StorageError        the storage backend failed (503)
      └── StorageUnavailable   it cannot be reached at all
"""

from __future__ import annotations


class EchotuneError(Exception):
    """Base of every error EchoTune raises on purpose."""

    status_code = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(EchotuneError):
    status_code = 400


class Unauthorized(EchotuneError):
    status_code = 401


class Forbidden(EchotuneError):
    status_code = 403


class NotFound(EchotuneError):
    status_code = 404


class Conflict(EchotuneError):
    status_code = 409


class RateLimited(EchotuneError):
    status_code = 429

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UpstreamError(EchotuneError):
    status_code = 502


class StorageError(EchotuneError):
    status_code = 503


class StorageUnavailable(StorageError):
    pass
