"""A listener's taste profile, from plays and feedback, in the index's feature space.

Each play adds weight to its track: more for plays listened through, less the
older they are (half-life `HALF_LIFE_DAYS`), and negative for skips. The
profile is the weighted centroid of the liked tracks' standardised features,
plus a few anchor tracks (the heaviest), so a listener with two distinct
tastes is matched to both rather than to their average.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from echotune.listening.models import Feedback, Play
from echotune.recommend.feature_index import FeatureIndex
from echotune.recommend.scaling import RAW_COLUMN

F64 = npt.NDArray[np.float64]
Rows = npt.NDArray[np.intp]

HALF_LIFE_DAYS = 90.0
# A full listen is about three minutes; longer plays do not count for more.
FULL_LISTEN_MS = 180_000
SKIP_WEIGHT = -0.5
LIKE_WEIGHT = 3.0
ANCHORS = 1
SUMMARY_ATTRIBUTES = ("energy", "valence", "danceability", "acousticness", "tempo")


@dataclass(frozen=True)
class TasteProfile:
    user_id: str
    plays: int
    track_weights: Mapping[str, float]
    """Read-only, so that a scorer may remember what it derived from it."""
    played: frozenset[str]
    liked: frozenset[str]
    disliked: frozenset[str]
    skipped_often: frozenset[str]
    centroid: F64 | None
    anchors: tuple[tuple[str, F64], ...]
    usual: dict[str, float]
    top_genres: tuple[tuple[str, float], ...]
    top_artists: tuple[str, ...]
    disliked_artists: frozenset[str] = field(default_factory=frozenset)
    # Index rows of played or liked and of disliked tracks, resolved once per
    # profile: per request, sets of ids would cost a dict lookup per track.
    played_rows: Rows = field(default_factory=lambda: np.empty(0, dtype=np.intp), compare=False)
    disliked_rows: Rows = field(default_factory=lambda: np.empty(0, dtype=np.intp), compare=False)

    @property
    def is_cold(self) -> bool:
        return self.centroid is None


def play_weight(play: Play, now: datetime) -> float:
    if play.skipped:
        return SKIP_WEIGHT
    age_days = max((now - play.played_at).total_seconds() / 86_400.0, 0.0)
    recency = 0.5 ** (age_days / HALF_LIFE_DAYS)
    return float(recency * min(play.ms_played / FULL_LISTEN_MS, 1.0))


def _feedback_state(feedback: Sequence[Feedback]) -> tuple[set[str], set[str], Counter[str]]:
    """Latest like/save vs dislike per track wins, the listener's own feedback
    before any a Spotify sync implied (an own dislike outlasts a later top-track
    like); skips are counted."""
    liked: set[str] = set()
    disliked: set[str] = set()
    skips: Counter[str] = Counter()
    decided: set[str] = set()
    own_first = sorted(feedback, key=lambda f: f.source is not None)  # stable: newest first
    for item in own_first:
        if item.kind == "skip":
            skips[item.track_id] += 1
            continue
        if item.track_id in decided:
            continue
        decided.add(item.track_id)
        (disliked if item.kind == "dislike" else liked).add(item.track_id)
    return liked, disliked, skips


def build_profile(
    user_id: str,
    index: FeatureIndex,
    plays: Sequence[Play],
    feedback: Sequence[Feedback],
    now: datetime,
) -> TasteProfile:
    weights: defaultdict[str, float] = defaultdict(float)
    for play in plays:
        weights[play.track_id] += play_weight(play, now)
    liked, disliked, skips = _feedback_state(feedback)
    for track_id in liked:
        weights[track_id] += LIKE_WEIGHT
    for track_id, count in skips.items():
        weights[track_id] += SKIP_WEIGHT * count
    positive = {t: w for t, w in weights.items() if w > 0 and t not in disliked}
    rows, row_weights = _rows_of(index, positive)
    centroid, anchors = _centroid_and_anchors(index, rows, row_weights)
    disliked_rows = _rows_of_ids(index, disliked)
    played = frozenset(p.track_id for p in plays)
    return TasteProfile(
        user_id=user_id,
        plays=len(plays),
        track_weights=MappingProxyType(dict(weights)),
        played=played,
        liked=frozenset(liked),
        disliked=frozenset(disliked),
        skipped_often=frozenset(t for t, w in weights.items() if w < 0),
        centroid=centroid,
        anchors=anchors,
        usual=_usual(index, rows, row_weights),
        top_genres=_top_genres(index, rows, row_weights),
        top_artists=_top_artists(index, rows, row_weights),
        disliked_artists=frozenset(index.artist_of_row(int(r)) for r in disliked_rows),
        played_rows=_rows_of_ids(index, played | liked),
        disliked_rows=disliked_rows,
    )


def _rows_of_ids(index: FeatureIndex, ids: Collection[str]) -> Rows:
    rows = [r for t in ids if (r := index.row_of(t)) is not None]
    return np.asarray(sorted(rows), dtype=np.intp)


def _rows_of(index: FeatureIndex, weights: dict[str, float]) -> tuple[Rows, F64]:
    pairs = [(r, w) for t, w in weights.items() if (r := index.row_of(t)) is not None]
    if not pairs:
        return np.empty(0, dtype=np.intp), np.empty(0)
    rows, ws = zip(*sorted(pairs), strict=True)
    return np.asarray(rows, dtype=np.intp), np.asarray(ws, dtype=np.float64)


def _centroid_and_anchors(
    index: FeatureIndex, rows: Rows, weights: F64
) -> tuple[F64 | None, tuple[tuple[str, F64], ...]]:
    if rows.size == 0:
        return None, ()
    z = index.standardised[rows].astype(np.float64)
    centroid: F64 = (z * weights[:, None]).sum(axis=0) / weights.sum()
    order = np.lexsort((rows, -weights))[:ANCHORS]
    anchors = tuple((str(index.ids[rows[i]]), z[i]) for i in order)
    return centroid, anchors


def _usual(index: FeatureIndex, rows: Rows, weights: F64) -> dict[str, float]:
    if rows.size == 0:
        return {}
    raw = index.raw[rows]
    return {
        name: float(np.average(raw[:, RAW_COLUMN[name]], weights=weights))
        for name in SUMMARY_ATTRIBUTES
    }


def _top_genres(index: FeatureIndex, rows: Rows, weights: F64) -> tuple[tuple[str, float], ...]:
    totals: Counter[str] = Counter()
    for row, weight in zip(rows.tolist(), weights.tolist(), strict=True):
        genre = index.genre_of_row(row)
        if genre:
            totals[genre] += weight
    whole = sum(totals.values()) or 1.0
    return tuple((g, w / whole) for g, w in totals.most_common(5))


def _top_artists(index: FeatureIndex, rows: Rows, weights: F64) -> tuple[str, ...]:
    totals: Counter[str] = Counter()
    for row, weight in zip(rows.tolist(), weights.tolist(), strict=True):
        totals[index.artist_of_row(row)] += weight
    return tuple(a for a, _ in totals.most_common(10))
