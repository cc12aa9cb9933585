"""The transport seam: send one request, get one response. Behaviour is added by wrapping.

Every wrapper (rate limit, retry, cache, metrics) is itself a Transport around an inner one,
in the manner of tekore's senders, so tests can stack any subset over a fake.
Header names in a SpotifyResponse are lower-case.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import IntEnum
from typing import Protocol

_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


class Priority(IntEnum):
    """Lower value goes first: interactive requests overtake background sync."""

    HIGH = 0
    LOW = 1


@dataclass(frozen=True)
class SpotifyRequest:
    method: str
    url: str
    params: Mapping[str, str] = field(default_factory=dict)
    # Headers and forms carry bearer tokens, codes and secrets: never in a repr.
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    json: object | None = field(default=None, repr=False)
    form: Mapping[str, str] | None = field(default=None, repr=False)
    priority: Priority = Priority.HIGH
    token_key: str | None = None
    # None: decided by the method. A POST is not resent after an ambiguous failure, because
    # Spotify may have applied it (a playlist would get its items twice).
    idempotent: bool | None = None

    @property
    def is_idempotent(self) -> bool:
        if self.idempotent is not None:
            return self.idempotent
        return self.method.upper() in _IDEMPOTENT


@dataclass(frozen=True)
class SpotifyResponse:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""

    def json(self) -> object:
        """The decoded body; None for an empty one (204 and most player commands)."""
        if not self.content.strip():
            return None
        return jsonlib.loads(self.content)


class Transport(Protocol):
    async def send(self, request: SpotifyRequest) -> SpotifyResponse: ...

    async def aclose(self) -> None: ...


def retry_after(response: SpotifyResponse) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), None when unusable."""
    raw = response.headers.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
