"""The best `limit` candidates by score, at most a few per artist, deterministically.

Order is by score descending, then row ascending, also across the boundary
of the partial sort: rows tied with the last score admitted are taken in row
order, so the same index and query always give the same list. A strided
sample of the scores gives a threshold that leaves a short list of rows, so
the partial sort runs over thousands of rows instead of the whole catalog;
the short list is used only when it provably holds the best k.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
I32 = npt.NDArray[np.int32]
Rows = npt.NDArray[np.intp]
Mask = npt.NDArray[np.bool_]

# Variety: at most this many tracks by one artist, unless the artist is a seed.
ARTIST_CAP = 2
SEED_ARTIST_CAP = 5
# First look at this many times `limit` rows; widen when the cap skips too many.
_OVERSAMPLE = 4
# Below this many candidates a full partial sort is as cheap as sampling.
_SHORTLIST_FROM = 20_000
_SAMPLE_SIZE = 4096


def _all_candidates(score: F32, keep: Mask | None) -> Rows:
    rows: Rows = np.flatnonzero(keep if keep is not None else np.isfinite(score))
    return rows


def shortlist(score: F32, keep: Mask | None, count: int, k: int) -> Rows:
    """Candidate rows, ascending, that surely include the k best (all when in doubt)."""
    if count < _SHORTLIST_FROM or k * _OVERSAMPLE * 4 > count:
        return _all_candidates(score, keep)
    step = max(1, score.size // _SAMPLE_SIZE)
    sample = score[::step] if keep is None else score[::step][keep[::step]]
    # Aim for about twice k rows above the threshold, judged from the sample.
    above = min(sample.size, int(np.ceil(2 * k * sample.size / count)) + 1)
    threshold = np.partition(sample, sample.size - above)[sample.size - above]
    hit = score >= threshold
    if keep is not None:
        hit &= keep
    rows: Rows = np.flatnonzero(hit)
    # Exact only if at least k candidates reach the threshold; else take them all.
    return rows if rows.size >= k else _all_candidates(score, keep)


def top_rows(score: F32, rows: Rows, k: int) -> Rows:
    """The k best of `rows` (ascending) with finite scores, by (score desc, row asc)."""
    values = score[rows]
    finite = np.isfinite(values)
    if not finite.all():
        rows, values = rows[finite], values[finite]
    if k < rows.size:
        part = np.argpartition(values, rows.size - k)[rows.size - k :]
        threshold = values[part].min()
        keep = values > threshold
        # Rows tied at the threshold: the lowest rows win, whatever the partition picked.
        tied = np.flatnonzero(values == threshold)[: k - int(np.count_nonzero(keep[part]))]
        chosen = np.concatenate([part[keep[part]], tied])
        rows, values = rows[chosen], values[chosen]
    order = np.lexsort((rows, -values))
    ranked: Rows = rows[order]
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
    score: F32,
    keep: Mask | None,
    count: int,
    limit: int,
    artists: I32,
    seed_artists: Collection[int],
) -> list[int]:
    """Up to `limit` candidate rows, best first, at most ARTIST_CAP per artist.

    Candidates are the rows in `keep` (every row with a finite score when
    None); `count` is how many there are. When the cap alone would leave the
    list short (a narrow filter, a tiny catalog), the skipped rows fill it in
    score order: Spotify answers with fewer tracks only when filters leave fewer.
    """
    want = min(limit, count)
    k = min(count, max(limit * _OVERSAMPLE, limit + 50))
    while True:
        ranked = top_rows(score, shortlist(score, keep, count, k), k)
        taken, skipped = _apply_cap(ranked, artists, seed_artists, want)
        if len(taken) >= want or k >= count:
            break
        k = min(count, k * _OVERSAMPLE)
    if len(taken) < want:
        fill = set(taken) | set(skipped[: want - len(taken)])
        taken = [r for r in ranked.tolist() if r in fill]
    return taken
