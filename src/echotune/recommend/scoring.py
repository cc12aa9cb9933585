"""One score per catalog row, computed for all rows at once.

score = seed similarity + seed membership bonuses - target distance + popularity prior.
Similarity to a seed is a Cauchy kernel 1 / (1 + d²/(W·τ)) of the weighted squared
distance, so several seeds add up as a mixture (tracks near any one seed rank
high) instead of collapsing to their average. All seeds' kernels come from
one (n, 17) x (17, k) BLAS product over the index's [z | |z|² | 1] block and
one in-place reciprocal; targets touch only their own columns. Rows outside
the filters are not scored differently: selection looks at candidates only.
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
# sit near 2, close neighbours below 0.2; a track at 0.5 scores half a match.
# Cauchy rather than Gaussian: a reciprocal costs a quarter of an exp, and it
# cannot underflow into slow subnormals for far-away rows.
KERNEL_WIDTH = 0.5
# One z-score away from every target costs as much as a perfect seed match
# is worth: an explicit target_* should visibly win over similarity.
TARGET_WEIGHT = 1.0
# Favouring members of a seed genre / tracks of a seed artist, per seed share.
GENRE_BONUS = 0.5
ARTIST_BONUS = 0.2
# At most a tenth of a perfect match: breaks near-ties toward known songs.
POPULARITY_PRIOR = 0.1
# Past rows / n = 1 / this, `seed_similarity_of_rows` scores every row instead.
_GATHER_SHARE = 20


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


def kernel_weights(points: Sequence[F32], share: float) -> F32:
    """(k, 17) weights w with 1 / (w_k · [z | |z|² | 1]) = the share-weighted kernel to point k."""
    scale = 1.0 / (TOTAL_WEIGHT * KERNEL_WIDTH)
    stacked = np.asarray(points, dtype=np.float64)
    # Row k of the product is (1 + (|z|² - 2 z·p_k + |p_k|²)·scale) / share for every z,
    # so its reciprocal is the kernel already weighted by the seed's share.
    weights = np.empty((len(points), Z_WIDTH + 2), dtype=np.float64)
    weights[:, :Z_WIDTH] = -2.0 * scale * stacked
    weights[:, Z_WIDTH] = scale
    weights[:, Z_WIDTH + 1] = 1.0 + scale * np.einsum("ij,ij->i", stacked, stacked)
    weights /= share
    out: F32 = weights.astype(np.float32)
    return out


def add_seed_similarity(
    score: F32, index: FeatureIndex, points: Sequence[F32], share: float
) -> None:
    """score += Σ share / (1 + d²/(W·τ)) over seed points, d² the weighted squared distance."""
    # (k, 17) x (17, n): the transposed column-major block is row-major, so each
    # seed's kernels come out as one contiguous row.
    kernels = kernel_weights(points, share) @ index.seed_block.T
    np.reciprocal(kernels, out=kernels)
    for row in kernels:
        score += row


def seed_similarity_of_rows(
    index: FeatureIndex, rows: npt.NDArray[np.intp], points: Sequence[F32], share: float
) -> F32:
    """What `add_seed_similarity` adds, for the given rows only."""
    weights = kernel_weights(points, share)
    if rows.size * _GATHER_SHARE < len(index):
        kernels = index.seed_block[rows] @ weights.T
        np.reciprocal(kernels, out=kernels)
        few: F32 = kernels.sum(axis=1, dtype=np.float32)
        return few
    # Gathering rows of the column-major block costs a pass per column, so past
    # a twentieth of the catalog one pass over every row is cheaper; one
    # matrix-vector product per point beats BLAS's skinny (k, 17) x (17, n) gemm.
    score = np.zeros(len(index), dtype=np.float32)
    for w in weights:
        kernel = w @ index.seed_block.T
        np.reciprocal(kernel, out=kernel)
        score += kernel
    out: F32 = score[rows]
    return out


def add_target_pull(score: F32, index: FeatureIndex, targets: Mapping[str, float]) -> None:
    """score -= mean over targets of the squared z-distance to each target."""
    share = TARGET_WEIGHT / len(targets)
    work = np.empty_like(score)
    for attribute, value in targets.items():
        cols = Z_COLUMNS[attribute]
        for col, target in zip(cols, index.scaler.point(attribute, value), strict=True):
            # Columns hold sqrt(weight)·z; dividing by the weight undoes that, so a
            # target pulls by its attribute's plain z-score whatever its similarity weight.
            np.subtract(index.standardised[:, col], np.float32(target), out=work)
            np.square(work, out=work)
            work *= np.float32(share / Z_WEIGHTS[col])
            score -= work


def score_rows(
    index: FeatureIndex, seeds: Sequence[ResolvedSeed], targets: Mapping[str, float]
) -> F32:
    share = 1.0 / max(len(seeds), 1)
    score: F32 = index.column("popularity") * np.float32(POPULARITY_PRIOR / 100.0)
    points = [s.point for s in seeds if s.point is not None]
    if points:
        add_seed_similarity(score, index, points, share)
    if targets:
        add_target_pull(score, index, targets)
    for seed in seeds:
        bonus = np.float32((GENRE_BONUS if seed.type == "GENRE" else ARTIST_BONUS) * share)
        if seed.favoured_rows is not None:
            score[seed.favoured_rows] += bonus
        for start, stop in seed.favoured_ranges:
            score[start:stop] += bonus
    return score
