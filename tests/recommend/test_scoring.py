"""Scoring: the BLAS-folded formulas equal the plain ones; whole-catalog ranking is exact."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from echotune.recommend import FeatureIndex, RecommendationQuery, recommend
from echotune.recommend.scaling import TOTAL_WEIGHT, Z_COLUMNS, Z_WEIGHTS
from echotune.recommend.scoring import (
    KERNEL_WIDTH,
    TARGET_WEIGHT,
    add_seed_similarity,
    add_target_pull,
    score_rows,
)
from echotune.recommend.seeds import resolve_seeds
from echotune.recommend.selection import ARTIST_CAP, SEED_ARTIST_CAP

from .factory import random_catalog


@pytest.fixture(scope="module")
def index() -> FeatureIndex:
    return FeatureIndex.from_tracks(random_catalog(500, seed=21))


def test_seed_kernels_equal_the_plain_formula(index: FeatureIndex) -> None:
    z = index.standardised.astype(np.float64)
    points = [z[3], z[100], z[::2].mean(axis=0)]
    score = np.zeros(len(index), dtype=np.float32)
    add_seed_similarity(score, index, [p.astype(np.float32) for p in points], share=0.25)
    expected = sum(
        0.25 / (1.0 + ((z - p) ** 2).sum(axis=1) / (TOTAL_WEIGHT * KERNEL_WIDTH)) for p in points
    )
    np.testing.assert_allclose(score, expected, rtol=2e-4, atol=1e-6)
    assert score[3] == pytest.approx(np.max(score), rel=0.05)


def test_target_pull_equals_the_plain_formula(index: FeatureIndex) -> None:
    targets = {"energy": 0.8, "tempo": 100.0, "key": 3.0}
    score = np.zeros(len(index), dtype=np.float32)
    add_target_pull(score, index, targets)
    z = index.standardised.astype(np.float64)
    expected = np.zeros(len(index))
    for name, value in targets.items():
        cols = list(Z_COLUMNS[name])
        target = index.scaler.point(name, value)
        expected -= ((z[:, cols] - target) ** 2 / Z_WEIGHTS[cols]).sum(axis=1)
    expected *= TARGET_WEIGHT / len(targets)
    np.testing.assert_allclose(score, expected, rtol=1e-4, atol=1e-5)
    # The pull is in plain z-scores: one std away in energy costs TARGET_WEIGHT / 3.
    energy = index.column("energy").astype(np.float64)
    std = energy.std()
    row = int(np.argmin(np.abs(energy - (0.8 - std))))
    alone = np.zeros(len(index), dtype=np.float32)
    add_target_pull(alone, index, {"energy": 0.8})
    assert float(alone[row]) == pytest.approx(
        -TARGET_WEIGHT * ((energy[row] - 0.8) / std) ** 2, rel=0.02
    )


def reference_ranking(index: FeatureIndex, query: RecommendationQuery) -> list[str]:
    """Brute force: score every row, sort all candidates, walk them with the cap."""
    seeds = resolve_seeds(index, query)
    score = score_rows(index, seeds, query.target_values).astype(np.float64)
    ok = np.ones(len(index), dtype=bool)
    for name, bound in query.min_values.items():
        ok &= index.column(name) >= np.float32(bound)
    for name, bound in query.max_values.items():
        ok &= index.column(name) <= np.float32(bound)
    for seed in seeds:
        if seed.own_row is not None:
            ok[seed.own_row] = False
    rows = np.flatnonzero(ok)
    rows = rows[np.lexsort((rows, -score[rows]))]
    seed_artists = {s.artist_code for s in seeds if s.artist_code is not None}
    taken: list[int] = []
    per: Counter[int] = Counter()
    for row in rows.tolist():
        artist = int(index.artist_codes[row])
        if per[artist] < (SEED_ARTIST_CAP if artist in seed_artists else ARTIST_CAP):
            per[artist] += 1
            taken.append(row)
        if len(taken) == query.limit:
            break
    return [str(index.ids[r]) for r in taken]


def test_a_large_catalog_ranks_exactly_like_brute_force() -> None:
    index = FeatureIndex.synthetic(60_000, seed=9)
    genres = index.available_genres()
    queries = [
        RecommendationQuery(seed_tracks=(str(index.ids[5]), str(index.ids[40_000])), limit=100),
        RecommendationQuery(
            seed_genres=(genres[0], genres[-1]),
            seed_artists=(index.artist_of_row(123),),
            limit=50,
            min_values={"energy": 0.5, "popularity": 20},
            max_values={"tempo": 140},
            target_values={"valence": 0.8, "key": 4},
        ),
        RecommendationQuery(seed_genres=("rock",), limit=20, target_values={"danceability": 0.9}),
    ]
    for query in queries:
        assert recommend(index, query).track_ids == reference_ranking(index, query)
