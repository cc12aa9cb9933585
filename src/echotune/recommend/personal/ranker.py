"""The hybrid ranker: content, collaborative, context and feedback in one score,
then a diversity re-rank (MMR) of the best few hundred.

score = W_CONTENT·taste similarity + W_CF·collaborative score (normalised)
        + popularity prior + novelty bonus − context distance − disliked-artist penalty.
Cold start (no usable history) scores by popularity within the chosen genres.
The weights come from `bench/tune_hybrid.py` (see docs/evaluation.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from echotune.recommend.feature_index import FeatureIndex
from echotune.recommend.personal.diversity import mmr
from echotune.recommend.personal.taste import TasteProfile
from echotune.recommend.scaling import Z_COLUMNS, Z_WEIGHTS
from echotune.recommend.scoring import add_seed_similarity
from echotune.recommend.selection import shortlist, top_rows

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
Rows = npt.NDArray[np.intp]

# Tuned on held-out playlists of the bundled catalog (bench/tune_hybrid.py).
W_CONTENT = 1.0
W_CF = 2.0
POPULARITY_PRIOR = 0.15
CONTEXT_WEIGHT = 1.5
GENRE_BONUS = 0.3
DISLIKED_ARTIST_PENALTY = 0.5
POOL = 200


@dataclass(frozen=True)
class RankRequest:
    limit: int = 20
    diversity: float = 0.3
    novelty: float = 0.1
    targets: Mapping[str, float] = field(default_factory=dict)
    seed_track_ids: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()
    include_played: bool = False


@dataclass(frozen=True)
class Ranked:
    row: int
    score: float
    content: float
    collaborative: float


def _points(index: FeatureIndex, profile: TasteProfile, req: RankRequest) -> list[F32]:
    points = [p.astype(np.float32) for _, p in profile.anchors]
    if profile.centroid is not None:
        points.insert(0, profile.centroid.astype(np.float32))
    for track_id in req.seed_track_ids:
        row = index.row_of(track_id)
        if row is not None:
            points.append(index.standardised[row])
    return points


def _excluded(index: FeatureIndex, profile: TasteProfile, req: RankRequest) -> Rows:
    ids: set[str] = set(profile.disliked) | set(req.seed_track_ids)
    if not req.include_played:
        ids |= profile.played | profile.liked
    rows = [r for t in ids if (r := index.row_of(t)) is not None]
    return np.asarray(sorted(rows), dtype=np.intp)


def score_all(
    index: FeatureIndex, profile: TasteProfile, cf: F32 | None, req: RankRequest
) -> tuple[F32, F32, F32 | None]:
    """(total, content, collaborative/W_CF) scores of every row.

    Written as in-place passes over preallocated arrays: at a million rows each
    extra temporary costs about a millisecond. `cf` is consumed (scaled in place).
    """
    n = len(index)
    popularity = index.column("popularity")
    points = _points(index, profile, req)
    cold = not points
    # Popularity prior, novelty bonus and (cold start) popularity as one fused a·pop + b.
    slope = (POPULARITY_PRIOR - req.novelty + (1.0 if cold else 0.0)) / 100.0
    total: F32 = np.multiply(popularity, np.float32(slope))
    if req.novelty:
        total += np.float32(req.novelty)
    content: F32 = np.zeros(n, dtype=np.float32)
    if points:
        add_seed_similarity(content, index, points, W_CONTENT / len(points))
        total += content
    if cf is not None and cf.size == n:
        top = float(cf.max())
        if top > 0:
            np.maximum(cf, 0, out=cf)
            cf *= np.float32(W_CF / top)
            total += cf
        else:
            cf = None
    if req.targets:
        _subtract_context(index, req.targets, total)
    _adjust(index, profile, req, total)
    return total, content, cf


def _subtract_context(index: FeatureIndex, targets: Mapping[str, float], total: F32) -> None:
    """total -= CONTEXT_WEIGHT · mean over targets of the squared plain z-distance."""
    share = CONTEXT_WEIGHT / len(targets)
    work = np.empty(len(index), dtype=np.float32)
    for attribute, value in targets.items():
        for col, target in zip(Z_COLUMNS[attribute], index.scaler.point(attribute, value), strict=True):
            np.subtract(index.standardised[:, col], np.float32(target), out=work)
            np.square(work, out=work)
            work *= np.float32(share / Z_WEIGHTS[col])
            total -= work


def _adjust(index: FeatureIndex, profile: TasteProfile, req: RankRequest, total: F32) -> None:
    for genre in req.genres:
        total[index.genre_rows(genre)] += np.float32(GENRE_BONUS)
    for artist in profile.disliked_artists:
        total[index.artist_rows(artist)] -= np.float32(DISLIKED_ARTIST_PENALTY)
    total[_excluded(index, profile, req)] = -np.inf


def rank(
    index: FeatureIndex, profile: TasteProfile, cf: F32 | None, req: RankRequest
) -> list[Ranked]:
    total, content, collaborative = score_all(index, profile, cf, req)
    finite = int(np.count_nonzero(np.isfinite(total)))
    k = min(POOL, finite)
    pool = top_rows(total, shortlist(total, None, finite, k), k)
    chosen = mmr(index, pool, total[pool], req.limit, req.diversity)
    return [
        Ranked(
            row,
            float(total[row]),
            float(content[row]) / W_CONTENT,
            0.0 if collaborative is None else float(collaborative[row]) / W_CF,
        )
        for row in chosen
    ]



def pool_rows(ranked: Sequence[Ranked]) -> list[int]:
    return [r.row for r in ranked]
