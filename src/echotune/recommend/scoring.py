"""One score per catalog row, computed for all rows at once.

score = seed similarity + seed membership bonuses - target distance + popularity prior,
and -inf for rows a min/max filter or a seed excludes. Similarity to a seed
is a Gaussian kernel of the weighted squared distance, so several seeds add
up as a mixture (tracks near any seed rank high) rather than collapsing to
their average. Both the kernels and the target distances are quadratic forms
in the standardised rows, so each is a single BLAS product over the index's
precomputed blocks; no per-attribute temporaries of catalog size are made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from echotune.recommend.feature_index import FeatureIndex
from echotune.recommend.scaling import TOTAL_WEIGHT, Z_COLUMNS, Z_WEIGHTS, Z_WIDTH
from echotune.recommend.seeds import ResolvedSeed

F32 = npt.NDArray[np.float32]
Mask = npt.NDArray[np.bool_]

# Kernel width in mean squared z-score per attribute: random pairs of tracks
# sit near 2, close neighbours below 0.2, so 0.5 separates "alike" from "not".
KERNEL_WIDTH = 0.5
# One z-score away from every target costs as much as a perfect seed match
# is worth: an explicit target_* should visibly win over similarity.
TARGET_WEIGHT = 1.0
# Favouring members of a seed genre / tracks of a seed artist, per seed share.
GENRE_BONUS = 0.5
ARTIST_BONUS = 0.2
# At most a tenth of a perfect match: breaks near-ties toward known songs.
POPULARITY_PRIOR = 0.1


def candidate_mask(
    index: FeatureIndex, minimums: Mapping[str, float], maximums: Mapping[str, float]
) -> Mask | None:
    """Rows inside every min/max bound (inclusive), or None when nothing is bounded."""
    keep: Mask | None = None
    for bounds, is_min in ((minimums, True), (maximums, False)):
        for attribute, bound in bounds.items():
            column = index.column(attribute)
            inside = column >= bound if is_min else column <= bound
            if keep is None:
                keep = inside
            else:
                np.logical_and(keep, inside, out=keep)
    return keep


def seed_similarity(index: FeatureIndex, points: Sequence[F32], share: float) -> F32:
    """Σ share·exp(-d²/(W·τ)) over seed points, d² the weighted squared distance."""
    scale = 1.0 / (TOTAL_WEIGHT * KERNEL_WIDTH)
    stacked = np.asarray(points, dtype=np.float64)
    weights = np.empty((Z_WIDTH + 1, len(points)), dtype=np.float32)
    weights[:Z_WIDTH] = (2.0 * scale) * stacked.T
    weights[Z_WIDTH] = -scale
    # (2 z·p - |z|²)/(Wτ) per row and seed; adding -|p|²/(Wτ) would give -d²/(Wτ),
    # which is folded into the coefficients after the exponential instead.
    exponents = index.seed_block @ weights
    np.exp(exponents, out=exponents)
    coefficients = share * np.exp(-scale * np.einsum("ij,ij->i", stacked, stacked))
    similarity: F32 = exponents @ coefficients.astype(np.float32)
    return similarity


def target_distance(index: FeatureIndex, targets: Mapping[str, float]) -> F32:
    """Mean over targets of the squared z-distance to each, up to a constant."""
    weights = np.zeros(2 * Z_WIDTH, dtype=np.float64)
    share = TARGET_WEIGHT / len(targets)
    for attribute, value in targets.items():
        cols = list(Z_COLUMNS[attribute])
        # Columns hold sqrt(weight)·z, so dividing by the weight undoes it:
        # a target pulls by its attribute's plain z-score, whatever its similarity weight.
        per_column = share / Z_WEIGHTS[cols]
        weights[cols] += per_column
        weights[[Z_WIDTH + c for c in cols]] += -2.0 * per_column * index.scaler.point(attribute, value)
    distance: F32 = index.target_block @ weights.astype(np.float32)
    return distance


def score_rows(
    index: FeatureIndex,
    seeds: Sequence[ResolvedSeed],
    targets: Mapping[str, float],
    keep: Mask | None,
) -> F32:
    share = 1.0 / max(len(seeds), 1)
    score: F32 = index.column("popularity") * np.float32(POPULARITY_PRIOR / 100.0)
    points = [s.point for s in seeds if s.point is not None]
    if points:
        score += seed_similarity(index, points, share)
    if targets:
        score -= target_distance(index, targets)
    for seed in seeds:
        bonus = GENRE_BONUS if seed.type == "GENRE" else ARTIST_BONUS
        if seed.favoured.size:
            score[seed.favoured] += np.float32(bonus * share)
    if keep is not None:
        np.copyto(score, np.float32(-np.inf), where=~keep)
    own = [s.own_row for s in seeds if s.own_row is not None]
    score[own] = -np.inf
    return score
