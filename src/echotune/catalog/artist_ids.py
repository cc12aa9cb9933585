"""Stable, Spotify-shaped artist ids derived from an artist's name.

The catalog CSV names artists but gives them no id, while everything
downstream (the /v1/artists endpoints, artist aggregation, taste profiles)
keys artists by a 22-character base62 id like Spotify's. So the id is derived
from the name, the same way on every machine and every run:

1. Normalise the name: Unicode NFKC, casefold, NFKC again (casefolding can
   produce sequences that are not NFKC), collapse every run of Unicode
   whitespace to one space, strip. "  The  Weeknd" and "the weeknd" become
   the same string.
2. Hash ``"echotune:artist:" + normalised`` (UTF-8) with SHA-256. The
   namespace keeps these ids apart from any other id we might derive by
   hashing a name.
3. Read the first 16 bytes as a big-endian unsigned integer (128 bits).
4. Write it in base62 with Spotify's alphabet ``0-9a-zA-Z`` (most significant
   digit first), left-padded with ``0`` to 22 characters (62**22 > 2**128,
   so 22 always suffice).

A missing name normalises to the empty string and so gets one fixed id of its
own, which no real (non-blank) name can produce. Two different names collide
only if 128 bits of SHA-256 do, which is not a practical concern.
"""

from __future__ import annotations

import hashlib
import unicodedata
from functools import lru_cache

SPOTIFY_BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
ARTIST_ID_LENGTH = 22
_NAMESPACE = "echotune:artist:"


def normalise_artist_name(name: str) -> str:
    """The form of `name` that identifies the artist: case, width and spacing removed."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())


def base62(number: int, width: int = ARTIST_ID_LENGTH) -> str:
    """`number` (>= 0) in Spotify's base62 alphabet, left-padded with '0' to `width`."""
    if number < 0:
        raise ValueError("base62 encodes non-negative integers only")
    digits: list[str] = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(SPOTIFY_BASE62[rest])
    return "".join(reversed(digits)).rjust(width, "0")


# Artists repeat on many rows of a catalog; the bound keeps a huge import's memory flat.
@lru_cache(maxsize=65_536)
def artist_id_for(name: str) -> str:
    """The stable 22-character base62 id of the artist called `name`."""
    key = (_NAMESPACE + normalise_artist_name(name)).encode("utf-8")
    return base62(int.from_bytes(hashlib.sha256(key).digest()[:16], "big"))
