"""The k best rows of base + term, computing the costly term on a few thousand rows.

`base` is exact on every row; the term is only bounded: by a ceiling (its
largest value on any row) and by a per-row upper bound that is cheaper than
the term itself. Two steps, each exact:

1. A floor under the k-th best total: the k-th best exact total among the
   rows that are best by base alone. A row whose base plus the ceiling falls
   below the floor cannot be among the k best. When the collaborative term
   dominates, that leaves a few thousand rows.
2. `prune`: rows whose per-row bound clears a threshold get the exact term. If
   the k-th best exact total then beats the threshold, no other row can
   enter the k best (its total is at most its bound, below the threshold).
   Otherwise every row whose bound reaches that k-th total is scored too,
   which again settles it.

The answer is the set of rows a full pass would give, up to float rounding
(`SLACK` absorbs the bound's own).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
Rows = npt.NDArray[np.intp]
Term = Callable[[Rows], F32]
Bound = Callable[[Rows | None], F32]
"""The per-row upper bound of the term on the given rows (None: on every row)."""

# Score units (scores are O(1)); float32 rounding of a bound is ~1e-5.
SLACK = 1e-3
# Aim the first threshold at about this many times k rows.
OVERSAMPLE = 8
# Strided sample that places a threshold; a partial sort of it is far cheaper
# than one of the whole catalog.
SAMPLE = 16_384
# Below this many rows one exact pass is as cheap as bounding first.
EXACT_BELOW = 50_000
# Step 1 pays off when it leaves at most 1 / this of the rows: bounding them
# after a gather then costs less than bounding every row in one pass.
NARROW_SHARE = 8


def best_rows(base: F32, ceiling: float, bound: Bound, term: Term, k: int) -> tuple[Rows, F32]:
    """Rows (ascending) holding the k best of base + term, and the term on those rows.

    base is -inf on excluded rows; 0 <= term <= ceiling on every row, and
    base + bound >= base + term (within SLACK).
    """
    small = base.size <= max(EXACT_BELOW, OVERSAMPLE * k)
    threshold = -np.inf if small else _sampled_threshold(base, OVERSAMPLE * k)
    if not np.isfinite(threshold):
        rows: Rows = np.flatnonzero(np.isfinite(base))
        return rows, term(rows)
    first = np.flatnonzero(base >= threshold)
    floor = _kth_best(base[first] + term(first), k)
    if np.isfinite(floor):
        reach = np.flatnonzero(base >= floor - ceiling - SLACK)
        if reach.size * NARROW_SHARE <= base.size:
            near = base[reach]
            sub, values = prune(
                near, near + bound(reach), lambda r: term(reach[r]), k, 2 * OVERSAMPLE * k
            )
            return reach[sub], values
    return prune(base, base + bound(None), term, k)


def prune(
    base: F32, upper: F32, term: Term, k: int, exact_below: int = EXACT_BELOW
) -> tuple[Rows, F32]:
    """Step 2 alone: `upper` (>= base + term, -inf where base is) on every row."""
    finite = np.isfinite(upper)
    want = OVERSAMPLE * k
    small = upper.size <= max(exact_below, want)
    threshold = -np.inf if small else _sampled_threshold(upper, want)
    if not np.isfinite(threshold):
        rows: Rows = np.flatnonzero(finite)
        return rows, term(rows)
    rows = np.flatnonzero(upper >= threshold)
    if rows.size < k:
        # A lopsided sample: place the threshold with one exact partial sort.
        threshold = float(np.partition(upper, upper.size - want)[upper.size - want])
        rows = np.flatnonzero(upper >= threshold)
    values = term(rows)
    kth = _kth_best(base[rows] + values, k)
    if kth >= threshold + SLACK:
        return rows, values
    # The first threshold was too high: widen to every row that could still reach kth.
    rows = np.flatnonzero(upper >= kth - SLACK) if np.isfinite(kth) else np.flatnonzero(finite)
    return rows, term(rows)


def _sampled_threshold(values: F32, want: int) -> float:
    """A value that about `want` entries reach, judged from a strided sample."""
    step = max(1, values.size // SAMPLE)
    sample = values[::step]
    above = min(sample.size, int(np.ceil(want * sample.size / values.size)) + 1)
    return float(np.partition(sample, sample.size - above)[sample.size - above])


def _kth_best(values: F32, k: int) -> float:
    if values.size < k:
        return float("-inf")
    return float(np.partition(values, values.size - k)[values.size - k])
