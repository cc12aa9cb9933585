"""Spotify-shaped identifiers and timestamps, stable across runs so tests can name them."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 22
# Every generated date counts from here, so added_at / played_at never depend on the clock.
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def base62(number: int, width: int = ID_LENGTH) -> str:
    chars: list[str] = []
    while number:
        number, digit = divmod(number, 62)
        chars.append(BASE62[digit])
    return "".join(reversed(chars)).rjust(width, "0")[-width:]


def stable_id(kind: str, index: int) -> str:
    """The same 22-character base62 id for (kind, index) in every run."""
    digest = hashlib.blake2b(f"{kind}:{index}".encode(), digest_size=17).digest()
    return base62(int.from_bytes(digest, "big"))


def random_id() -> str:
    return base62(secrets.randbits(131))


def is_spotify_id(value: str) -> bool:
    return len(value) == ID_LENGTH and all(c in BASE62 for c in value)


def token(prefix: str) -> str:
    """Opaque token text; the prefixes mimic Spotify's (BQ access, AQ refresh)."""
    return prefix + secrets.token_urlsafe(48)


def iso(moment: datetime) -> str:
    """Spotify's timestamp form: UTC with a Z suffix."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(moment: datetime) -> str:
    """played_at carries milliseconds."""
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return text[:-3] + "Z"


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def minutes_after_epoch(minutes: float) -> datetime:
    return EPOCH + timedelta(minutes=minutes)
