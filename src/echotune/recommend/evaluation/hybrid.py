"""Offline evaluation of the whole hybrid ranker (`personal/ranker.py`), for given weights.

`runner.py` compares collaborative models over the items their train set
knows. This ranks the whole feature index the way a personal request does:
taste kernel, the production collaborative model, popularity, context,
exclusion of what was played and the MMR re-rank. Held-out tracks that no
train listener played still count, and only content can find them.

A fold holds out part of each listener's tracks (the same seeded per-user
split as `echotune eval`), fits the production collaborative model on the
rest, and builds each listener's taste profile from their remaining tracks,
one full listen each. Metrics are those of `metrics.py`, over the ranker's
top 20.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from echotune.listening.models import Play
from echotune.recommend.cf.interactions import Interactions
from echotune.recommend.evaluation.metrics import CUTOFF, RECALL_CUTOFF, ranking_metrics
from echotune.recommend.evaluation.split import holdout_split
from echotune.recommend.feature_index import FeatureIndex
from echotune.recommend.personal.cf_scorer import CFScorer
from echotune.recommend.personal.context import Targets
from echotune.recommend.personal.ranker import HybridWeights, RankRequest, rank
from echotune.recommend.personal.store import fit_artifact
from echotune.recommend.personal.taste import FULL_LISTEN_MS, TasteProfile, build_profile
from echotune.recommend.scaling import RAW_COLUMN

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
Rows = npt.NDArray[np.intp]
# Every train play is "now": recency plays no part in an offline split.
NOW = datetime(2026, 1, 1, tzinfo=UTC)
HEADLINE = ("ndcg@10", "recall@20", "precision@10", "map@10")


@dataclass(frozen=True)
class Listener:
    user_id: str
    profile: TasteProfile
    cf: F32 | None
    """Collaborative scores of the train tracks, per index row (the ranker consumes a copy)."""
    test_rows: Rows
    test_size: int
    """Held-out tracks, including those the index lacks (never hits, still counted)."""
    targets: Targets = field(default_factory=dict)
    genre: str | None = None
    blend: tuple[TasteProfile, F32 | None] | None = None
    """Profile and scores of these train tracks plus another listener's (see Scenario.blend)."""


@dataclass(frozen=True)
class HybridFold:
    index: FeatureIndex
    listeners: tuple[Listener, ...]
    stats: dict[str, int]

    def where(self, keep: Callable[[Listener], bool]) -> HybridFold:
        kept = tuple(x for x in self.listeners if keep(x))
        return HybridFold(self.index, kept, {**self.stats, "listeners": len(kept)})


@dataclass(frozen=True)
class Scenario:
    """What each evaluated request carries besides the listener's history."""

    request: RankRequest = field(default_factory=lambda: RankRequest(limit=RECALL_CUTOFF))
    context: bool = False
    """Send the targets of the listener's context (a playlist named for a workout...)."""
    genre: bool = False
    """Send the listener's genre, as a user picking genres does."""
    cold: bool = False
    """Ignore the train tracks: a listener with no history yet."""
    blend: bool = False
    """Use the blended history: this listener's tracks plus those of another listener
    of another genre, so that the context has to say which half to follow."""


def hybrid_fold(
    index: FeatureIndex,
    data: Interactions,
    about: Mapping[str, tuple[Targets, str | None]],
    fraction: float,
    seed: int,
    min_items: int,
) -> HybridFold:
    """Hold out `fraction` of each listener's tracks; fit and profile on the rest."""
    train = holdout_split(data, fraction, seed, min_items).train
    scorer = CFScorer(fit_artifact(train), index)
    kept: dict[str, list[str]] = {}
    listeners: list[Listener] = []
    for user, user_id in enumerate(data.user_ids):
        at = train.user_index(user_id)
        tracks = [train.item_ids[i] for i in train.seen(at)] if at is not None else []
        held = {data.item_ids[i] for i in data.seen(user)} - set(tracks)
        if held and tracks:
            kept[user_id] = tracks
            profile, cf = _history(index, scorer, user_id, tracks)
            rows = np.asarray(
                sorted(r for t in held if (r := index.row_of(t)) is not None), dtype=np.intp
            )
            targets, genre = about.get(user_id, ({}, None))
            listeners.append(Listener(user_id, profile, cf, rows, len(held), targets, genre))
    listeners = _with_blends(index, scorer, listeners, kept, seed)
    stats = {
        "listeners": len(listeners),
        "train_pairs": train.nnz,
        "test_pairs": sum(x.test_size for x in listeners),
        "test_pairs_not_in_index": sum(x.test_size - x.test_rows.size for x in listeners),
    }
    return HybridFold(index, tuple(listeners), stats)


def _history(
    index: FeatureIndex, scorer: CFScorer, user_id: str, tracks: Sequence[str]
) -> tuple[TasteProfile, F32 | None]:
    plays = [
        Play(user_id=user_id, track_id=t, played_at=NOW, ms_played=FULL_LISTEN_MS) for t in tracks
    ]
    profile = build_profile(user_id, index, plays, [], NOW)
    return profile, scorer.scores(profile.track_weights)


def _with_blends(
    index: FeatureIndex,
    scorer: CFScorer,
    listeners: list[Listener],
    kept: Mapping[str, list[str]],
    seed: int,
) -> list[Listener]:
    """Give each listener with a context a blended history (partner drawn with `seed`)."""
    rng = np.random.default_rng(seed)
    partners = [x for x in listeners if not x.targets]
    out: list[Listener] = []
    for listener in listeners:
        pool = [p for p in partners if p.genre != listener.genre]
        if listener.targets and pool:
            partner = pool[int(rng.integers(len(pool)))]
            tracks = kept[listener.user_id] + kept[partner.user_id]
            listener = replace(listener, blend=_history(index, scorer, listener.user_id, tracks))
        out.append(listener)
    return out


def evaluate(fold: HybridFold, weights: HybridWeights, scenario: Scenario) -> dict[str, float]:
    """Mean precision@10, recall@20, ndcg@10 and map@10 of the ranker over the fold,
    and the standard error of the NDCG@10 mean (`ndcg@10_se`)."""
    per_user = per_listener(fold, weights, scenario)
    out = {name: float(v.mean()) if v.size else 0.0 for name, v in per_user.items()}
    ndcg = per_user["ndcg@10"]
    out["ndcg@10_se"] = float(ndcg.std(ddof=1) / np.sqrt(ndcg.size)) if ndcg.size > 1 else 0.0
    return out


def per_listener(fold: HybridFold, weights: HybridWeights, scenario: Scenario) -> dict[str, F64]:
    """Each listener's metrics, in fold order (for paired comparisons of two weightings)."""
    hits = np.zeros((len(fold.listeners), RECALL_CUTOFF), dtype=bool)
    for i, listener in enumerate(fold.listeners):
        ranked = rank(fold.index, *_inputs(fold.index, listener, scenario), weights=weights)
        rows = np.asarray([r.row for r in ranked[:RECALL_CUTOFF]], dtype=np.intp)
        hits[i, : rows.size] = np.isin(rows, listener.test_rows)
    sizes = np.asarray([x.test_size for x in fold.listeners], dtype=np.int64)
    return ranking_metrics(hits, sizes)


def _inputs(
    index: FeatureIndex, listener: Listener, scenario: Scenario
) -> tuple[TasteProfile, F32 | None, RankRequest]:
    req = replace(
        scenario.request,
        targets=listener.targets if scenario.context else {},
        genres=(listener.genre,) if scenario.genre and listener.genre else (),
    )
    if scenario.cold:
        return build_profile(listener.user_id, index, [], [], NOW), None, req
    if scenario.blend and listener.blend is not None:
        profile, cf = listener.blend
        return profile, None if cf is None else cf.copy(), req
    cf = None if listener.cf is None else listener.cf.copy()
    return listener.profile, cf, req


def context_adherence(
    fold: HybridFold, weights: HybridWeights, scenario: Scenario, contexts: Sequence[Targets]
) -> float:
    """How far a requested context moves a listener's top 10 toward its targets.

    Listener i asks for contexts[i % len(contexts)]. gap(list) = the mean over the
    context's attributes of |list mean − target| in the catalog's standard
    deviations; adherence = the mean over listeners of 1 − gap(with) / gap(without):
    0 when the context changes nothing, 1 when the list lands on the targets.
    """
    spread = fold.index.raw.std(axis=0)
    closed: list[float] = []
    for i, listener in enumerate(fold.listeners):
        targets = contexts[i % len(contexts)]
        gaps = []
        for asked in ({}, targets):
            profile, cf, req = _inputs(fold.index, listener, scenario)
            ranked = rank(fold.index, profile, cf, replace(req, targets=asked), weights=weights)
            rows = [r.row for r in ranked[:CUTOFF]]
            gaps.append(_gap(fold.index, rows, targets, spread))
        if gaps[0] > 0:
            closed.append(1.0 - gaps[1] / gaps[0])
    return float(np.mean(closed)) if closed else 0.0


def _gap(index: FeatureIndex, rows: list[int], targets: Targets, spread: F32) -> float:
    cols = [RAW_COLUMN[name] for name in targets]
    means = index.raw[rows][:, cols].mean(axis=0)
    wanted = np.asarray(list(targets.values()))
    return float(np.mean(np.abs(means - wanted) / spread[cols]))


@dataclass(frozen=True)
class Trial:
    weights: HybridWeights
    metrics: dict[str, float]
    """Means over the folds (and scenarios)."""


def grid_search(
    folds: Sequence[HybridFold],
    base: HybridWeights,
    grid: Mapping[str, Sequence[float]],
    scenarios: Sequence[Scenario],
    progress: Callable[[Trial], None] | None = None,
) -> list[Trial]:
    """Every combination of `grid` (HybridWeights field -> values) on top of `base`,
    scored by the mean over folds and scenarios; best NDCG@10 first (ties:
    higher recall@20, then grid order)."""
    names = list(grid)
    trials: list[Trial] = []
    for values in itertools.product(*(grid[n] for n in names)):
        weights = replace(base, **dict(zip(names, values, strict=True)))
        runs = [evaluate(fold, weights, s) for fold in folds for s in scenarios]
        metrics = {m: float(np.mean([r[m] for r in runs])) for m in HEADLINE}
        trials.append(Trial(weights, metrics))
        if progress is not None:
            progress(trials[-1])
    order = sorted(
        range(len(trials)),
        key=lambda i: (-trials[i].metrics["ndcg@10"], -trials[i].metrics["recall@20"], i),
    )
    return [trials[i] for i in order]
