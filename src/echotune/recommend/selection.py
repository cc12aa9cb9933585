"""The best `limit` rows by score, at most a few per artist, deterministically.

Order is by score descending, then row ascending, also across the boundary
of the partial sort: rows tied with the last score admitted are taken in row
order, so the same index and query always give the same list.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
I32 = npt.NDArray[np.int32]
Rows = npt.NDArray[np.intp]

# Variety: at most this many tracks by one artist, unless the artist is a seed.
ARTIST_CAP = 2
SEED_ARTIST_CAP = 5
# First look at this many times `limit` rows; widen when the cap skips too many.
_OVERSAMPLE = 4


def top_rows(score: F32, k: int) -> Rows:
    """The k highest finite scores, ordered by (score desc, row asc)."""
    n = score.size
    if k <= 0 or n == 0:
        return np.empty(0, dtype=np.intp)
    if k >= n:
        rows = np.flatnonzero(np.isfinite(score))
    else:
        part = np.argpartition(score, n - k)[n - k :]
        threshold = score[part].min()
        above = part[score[part] > threshold]
        if np.isfinite(threshold):
            tied = np.flatnonzero(score == threshold)[: k - above.size]
            rows = np.concatenate([above, tied])
        else:
            rows = above
    order = np.lexsort((rows, -score[rows]))
    ranked: Rows = rows[order].astype(np.intp)
    return ranked


def _apply_cap(
    ranked: Rows, artists: I32, seed_artists: Collection[int], limit: int
) -> tuple[list[int], list[int]]:
    """Rows within the per-artist cap (up to `limit`), and the rows the cap skipped."""
    taken: list[int] = []
    skipped: list[int] = []
    per_artist: dict[int, int] = {}
    for row, artist in zip(ranked.tolist(), artists[ranked].tolist(), strict=True):
        cap = SEED_ARTIST_CAP if artist in seed_artists else ARTIST_CAP
        if per_artist.get(artist, 0) < cap:
            per_artist[artist] = per_artist.get(artist, 0) + 1
            taken.append(row)
            if len(taken) == limit:
                break
        else:
            skipped.append(row)
    return taken, skipped


def select(
    score: F32, limit: int, artists: I32, seed_artists: Collection[int], candidates: int
) -> list[int]:
    """Up to `limit` rows, best first, at most ARTIST_CAP per artist.

    When the cap alone would leave the list short (a narrow filter, a tiny
    catalog), the skipped rows fill it in score order: Spotify answers with
    fewer tracks only when the filters leave fewer.
    """
    want = min(limit, candidates)
    k = min(candidates, max(limit * _OVERSAMPLE, limit + 50))
    while True:
        ranked = top_rows(score, k)
        taken, skipped = _apply_cap(ranked, artists, seed_artists, want)
        if len(taken) >= want or k >= candidates:
            break
        k = min(candidates, k * _OVERSAMPLE)
    if len(taken) < want:
        # Keep score order among the filled-in rows and the capped ones.
        fill = set(taken) | set(skipped[: want - len(taken)])
        taken = [r for r in ranked.tolist() if r in fill]
    return taken
