"""Kernel bounds and candidate pruning: the pruned ranker returns what the exact one does."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pytest

from echotune.listening.models import Feedback, Play
from echotune.recommend.feature_index import FeatureIndex
from echotune.recommend.personal import pruning
from echotune.recommend.personal.bounds import ContentBounds
from echotune.recommend.personal.context import context_targets
from echotune.recommend.personal.ranker import POOL, WEIGHTS, RankRequest, rank
from echotune.recommend.personal.scores import score_all, score_candidates
from echotune.recommend.personal.service import PersonalRecommendationService
from echotune.recommend.personal.taste import TasteProfile, build_profile
from echotune.recommend.scaling import TOTAL_WEIGHT
from echotune.recommend.scoring import KERNEL_WIDTH, add_seed_similarity, seed_similarity_of_rows

F32 = npt.NDArray[np.float32]
Rows = npt.NDArray[np.intp]
NOW = datetime(2026, 11, 1, tzinfo=UTC)
# Above pruning.EXACT_BELOW, so the bounds are really used.
ROWS = 60_000


@pytest.fixture(scope="module")
def index() -> FeatureIndex:
    return FeatureIndex.synthetic(ROWS, seed=5)


@pytest.fixture(scope="module")
def bounds(index: FeatureIndex) -> ContentBounds:
    return ContentBounds.build(index)


def _profile(
    index: FeatureIndex, rows: npt.ArrayLike, feedback: list[Feedback] | None = None
) -> TasteProfile:
    plays = [
        Play(
            user_id="u",
            track_id=str(index.ids[r]),
            played_at=NOW - timedelta(minutes=i),
            ms_played=200_000,
        )
        for i, r in enumerate(np.asarray(rows).tolist())
    ]
    return build_profile("u", index, plays, feedback or [], NOW)


def _cf(index: FeatureIndex, seed: int) -> F32:
    """Sparse collaborative scores, as an item-based model gives: most rows zero."""
    rng = np.random.default_rng(seed)
    cf = np.zeros(len(index), dtype=np.float32)
    cf[rng.choice(len(index), 3000, replace=False)] = rng.random(3000, dtype=np.float32)
    return cf


def test_upper_bound_is_never_below_the_exact_kernel(
    index: FeatureIndex, bounds: ContentBounds
) -> None:
    z = index.standardised
    rng = np.random.default_rng(1)
    # A track, a centroid-like average, and a point far outside the catalog.
    points = [
        z[17].copy(),
        z[rng.choice(len(index), 500)].mean(axis=0),
        np.full(z.shape[1], 6.0, np.float32),
    ]
    exact = np.zeros(len(index), dtype=np.float32)
    add_seed_similarity(exact, index, points, share=0.5)
    upper = np.zeros(len(index), dtype=np.float32)
    bounds.add_upper(upper, bounds.kernel_weights(points, share=0.5))
    assert np.all(upper >= exact - 1e-5)
    # Tight where it matters: a track's own row, for its own point, scores the full share.
    alone = np.zeros(len(index), dtype=np.float32)
    bounds.add_upper(alone, bounds.kernel_weights(points[:1], share=0.5))
    assert alone[17] == pytest.approx(0.5, abs=1e-4)
    # And a real bound, not a constant: most rows sit well under the maximum 1.5.
    assert float(np.median(upper)) < 0.8
    # The chunked form (rows start.. start + n) adds the same values.
    part = np.zeros(1000, dtype=np.float32)
    bounds.add_upper(part, bounds.kernel_weights(points, share=0.5), start=5000)
    np.testing.assert_allclose(part, upper[5000:6000], rtol=1e-6)


def test_exact_kernel_of_rows_matches_the_whole_catalog_pass(index: FeatureIndex) -> None:
    points = [index.standardised[3].copy(), index.standardised[900].copy()]
    whole = np.zeros(len(index), dtype=np.float32)
    add_seed_similarity(whole, index, points, share=0.5)
    few = np.array([0, 3, 77, 59_999], dtype=np.intp)
    many = np.arange(0, len(index), 2, dtype=np.intp)  # past the gather limit: one full pass
    np.testing.assert_allclose(
        seed_similarity_of_rows(index, few, points, 0.5), whole[few], rtol=1e-5
    )
    np.testing.assert_allclose(
        seed_similarity_of_rows(index, many, points, 0.5), whole[many], rtol=1e-5
    )


def _kernel(z: F32, point: F32) -> F32:
    d2 = ((z - point) ** 2).sum(axis=1)
    out: F32 = (1.0 / (1.0 + d2 / (TOTAL_WEIGHT * KERNEL_WIDTH))).astype(np.float32)
    return out


def test_prune_keeps_the_best_row_even_when_the_cheap_terms_bury_it(
    index: FeatureIndex, bounds: ContentBounds
) -> None:
    z = index.standardised
    rng = np.random.default_rng(2)
    base = rng.random(len(index), dtype=np.float32)  # the cheap terms: up to 1
    hidden = 31_337
    point = z[hidden].copy()
    share = 3.0  # a perfect kernel match is worth 3...
    # ...and the whole neighbourhood of the match has the worst cheap score of all.
    base[_kernel(z, point) > 0.5] = 0.0
    upper = base.copy()
    bounds.add_upper(upper, bounds.kernel_weights([point], share))
    rows, term = pruning.prune(
        base, upper, lambda r: share * _kernel(z[r], point), 10, exact_below=1000
    )
    total = base + share * _kernel(z, point)
    best = np.argsort(-total, kind="stable")[:10]
    assert best[0] == hidden and base[hidden] == base.min()
    assert set(best.tolist()) <= set(rows.tolist())
    assert rows.size < len(index) // 5  # and it did prune
    np.testing.assert_allclose(term, share * _kernel(z[rows], point), rtol=1e-5)


def test_prune_widens_when_the_first_threshold_is_too_high() -> None:
    rng = np.random.default_rng(3)
    n = 20_000
    base = rng.random(n, dtype=np.float32)
    # A loose bound on half the rows: their exact term is 0, the bound says up to 2,
    # so the rows above the first threshold mostly turn out worse than they looked.
    term_values = np.where(np.arange(n) % 2 == 0, 0.0, 0.5).astype(np.float32)
    upper = base + np.where(np.arange(n) % 2 == 0, 2.0, 0.5).astype(np.float32)
    calls: list[int] = []

    def term(rows: Rows) -> F32:
        calls.append(rows.size)
        out: F32 = term_values[rows]
        return out

    rows, values = pruning.prune(base, upper, term, 50, exact_below=100)
    best = np.argsort(-(base + term_values), kind="stable")[:50]
    assert set(best.tolist()) <= set(rows.tolist())
    assert len(calls) == 2  # the second call covered every row that could still make it
    np.testing.assert_array_equal(values, term_values[rows])


def test_prune_with_fewer_finite_rows_than_k() -> None:
    base = np.full(5000, -np.inf, dtype=np.float32)
    base[[7, 70, 700]] = [0.1, 0.2, 0.3]
    upper = base + np.float32(1.0)
    rows, values = pruning.prune(
        base, upper, lambda r: np.ones(r.size, dtype=np.float32), 20, exact_below=10
    )
    assert rows.tolist() == [7, 70, 700]
    assert values.tolist() == [1.0, 1.0, 1.0]


def test_best_rows_narrows_by_the_ceiling_before_bounding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pruning, "EXACT_BELOW", 1000)
    rng = np.random.default_rng(5)
    n = 100_000
    # A few hundred rows a strong collaborative score lifts far above the rest...
    base = rng.random(n, dtype=np.float32) * np.float32(0.2)
    lifted = rng.choice(n, 300, replace=False)
    base[lifted] += np.float32(2.0)
    base[rng.choice(n, 50, replace=False)] = -np.inf  # excluded rows
    term_values = rng.random(n, dtype=np.float32)  # ...and a term worth at most 1
    hidden = int(lifted[0])
    base[hidden] = 1.9  # the lowest lifted base, lifted into the best by its term
    term_values[hidden] = 1.0
    asked: list[int | None] = []

    def bound(rows: Rows | None) -> F32:
        asked.append(None if rows is None else rows.size)
        out: F32 = np.ones(n if rows is None else rows.size, dtype=np.float32)
        return out

    rows, values = pruning.best_rows(base, 1.0, bound, lambda r: term_values[r], k=100)
    total = base + term_values
    best = np.argsort(-total, kind="stable")[:100]
    assert set(best.tolist()) <= set(rows.tolist()) and hidden in rows
    np.testing.assert_array_equal(values, term_values[rows])
    # Only the lifted rows can reach the floor, so only they were ever bounded.
    assert asked and all(a is not None and a <= 400 for a in asked)


def _requests() -> list[RankRequest]:
    return [
        RankRequest(limit=20, diversity=0.0),
        RankRequest(limit=20, diversity=0.3, targets=context_targets("happy", None, None)),
        RankRequest(
            limit=50,
            diversity=0.6,
            targets=context_targets(None, "workout", None),
            genres=("rock",),
        ),
        RankRequest(limit=10, novelty=0.8, include_played=True),
    ]


@pytest.mark.parametrize("weights", [WEIGHTS, replace(WEIGHTS, content=4.0, cf=0.5)])
def test_pruned_ranking_equals_the_exact_one(
    index: FeatureIndex, bounds: ContentBounds, weights: object
) -> None:
    assert isinstance(weights, type(WEIGHTS))
    rng = np.random.default_rng(4)
    played = rng.choice(len(index), 400, replace=False)
    disliked = str(index.ids[int(played[0])])
    profile = _profile(
        index, played, [Feedback(user_id="u", track_id=disliked, kind="dislike", at=NOW)]
    )
    for cf in (_cf(index, 6), None):
        for req in _requests():
            fast = rank(index, profile, None if cf is None else cf.copy(), req, bounds, weights)
            slow = rank(index, profile, None if cf is None else cf.copy(), req, None, weights)
            assert [r.row for r in fast] == [r.row for r in slow]
            for a, b in zip(fast, slow, strict=True):
                assert a.score == pytest.approx(b.score, abs=1e-5)
                assert a.content == pytest.approx(b.content, abs=1e-5)
                assert a.collaborative == pytest.approx(b.collaborative, abs=1e-6)


def test_candidates_hold_the_exact_pool(index: FeatureIndex, bounds: ContentBounds) -> None:
    profile = _profile(index, np.arange(100, 400))
    req = RankRequest(targets=context_targets("sad", None, None))
    pruned = score_candidates(index, profile, _cf(index, 8), req, WEIGHTS, bounds, POOL)
    full = score_all(index, profile, _cf(index, 8), req, WEIGHTS)
    assert pruned.rows.size < len(index) // 5
    best = np.argsort(-full.total, kind="stable")[:POOL]
    at = {int(r): i for i, r in enumerate(pruned.rows)}
    assert all(int(r) in at for r in best)
    np.testing.assert_allclose(
        [pruned.total[at[int(r)]] for r in best], full.total[best], rtol=1e-5, atol=1e-5
    )


def test_the_service_builds_bounds_once_per_large_index(index: FeatureIndex) -> None:
    unused = cast(Any, None)  # bounds() needs no storage, models or metrics
    service = PersonalRecommendationService(lambda: index, unused, unused, unused, unused, unused)
    built = service.bounds(index)
    assert isinstance(built, ContentBounds) and built.rows == len(index)
    assert service.bounds(index) is built
    assert service.bounds(FeatureIndex.synthetic(1000, seed=1)) is None  # scored exactly
    rebuilt = service.bounds(index)
    assert rebuilt is not None and rebuilt is not built
