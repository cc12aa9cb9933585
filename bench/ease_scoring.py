"""Scoring users with EASE, each solver form against how it scored before. Prints JSON.

Primal form (more users than items, or too many cells for the dual one).
`EASE` scores a block of users as `rows @ B` (a sparse block times the
dense B over its head items, 10,000 by default). LAPACK returns the inverse
behind B in column-major order, and with B column-major scipy copied all of
B on every call. `spd_inverse` now returns it row-major (the inverse is
symmetric, so its transpose is the same matrix, with no copy). This fits
EASE once on synthetic power-law plays, then scores the same users in
blocks of 92 with B in each order, alternating in this process, and prunes
B to each target item's top 500 (what `echotune`'s blend does with it, and
which reads columns) in each order. The scores must be identical (the run
fails otherwise). Reported: seconds (median of `--repeats`) and
column-major / row-major.

Dual form (fewer users than items: Last.fm's 1,892 x 17,632 by default).
A block is scored with (x Λ⁻¹Xᵀ) K X Λ⁻¹, kept as `kxt` (items x users).
That product used to be sparse x dense with the dense side a transposed
view, which scipy copied whole (items x users float64) per block; it is now
densified first so BLAS multiplies it. `sparse_product_scores` below is the
old way. The two differ only by float rounding (the largest difference is
reported; the run fails past 1e-6).

    python bench/ease_scoring.py
    python bench/ease_scoring.py --only dual --dual-users 1892 --dual-items 17632
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np
import scipy.sparse as sp

from echotune.recommend.cf.ease_solver import DualEase, PrimalEase, pruned

BLOCK = 92


def plays(users: int, items: int, per_user: int, seed: int) -> sp.csr_matrix:
    """Binary users x items plays, `per_user` draws each from a Zipf(0.8) popularity."""
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, items + 1) ** 0.8
    cols = rng.choice(items, users * per_user, p=popularity / popularity.sum())
    rows = np.repeat(np.arange(users), per_user)
    x = sp.csr_matrix((np.ones(cols.size, np.float32), (rows, cols)), shape=(users, items))
    x.sum_duplicates()
    x.data[:] = 1.0
    return x


def sparse_product_scores(solution: DualEase, rows: sp.csr_matrix) -> np.ndarray:
    """`DualEase.user_scores` as it was: the middle product sparse, kxt.T copied by scipy."""
    rows64 = sp.csr_matrix(rows, dtype=np.float64)
    dense = rows64.toarray()
    xp = dense / solution.lams - np.asarray((rows64 @ solution.xt) @ solution.kxt.T)
    return np.asarray((dense * solution.diag_p - xp) * solution.scale, dtype=np.float32)


def blocks(x: sp.csr_matrix) -> list[sp.csr_matrix]:
    return [x[s : s + BLOCK] for s in range(0, x.shape[0], BLOCK)]


def summary(
    x: sp.csr_matrix, scored: int, fit: float, seconds: dict[str, list[float]]
) -> dict[str, object]:
    """The figures both forms report: sizes, fit time, each way's median and runs."""
    return {
        "users": x.shape[0],
        "items": x.shape[1],
        "nnz": int(x.nnz),
        "scored_users": min(scored, x.shape[0]),
        "fit_seconds": round(fit, 2),
        "score_seconds": {k: round(statistics.median(v), 3) for k, v in seconds.items()},
        "score_runs": {k: [round(t, 3) for t in v] for k, v in seconds.items()},
    }


def ratio(seconds: dict[str, list[float]], slow: str, fast: str) -> float:
    return round(statistics.median(seconds[slow]) / statistics.median(seconds[fast]), 2)


def primal(args: argparse.Namespace) -> dict[str, object]:
    x = plays(args.users, args.items, args.per_user, args.seed)
    start = time.perf_counter()
    solution = PrimalEase(x, 100.0)
    fit = time.perf_counter() - start
    orders = {"row_major": solution.b, "column_major": np.asfortranarray(solution.b)}
    scored = blocks(x[: args.scored])
    seconds: dict[str, list[float]] = {name: [] for name in orders}
    prune: dict[str, list[float]] = {name: [] for name in orders}
    results: dict[str, list[np.ndarray]] = {}
    for _ in range(args.repeats):  # alternate, so load on the machine hits both alike
        for name, b in orders.items():
            solution.b = b
            start = time.perf_counter()
            results[name] = [solution.user_scores(block) for block in scored]
            seconds[name].append(time.perf_counter() - start)
            start = time.perf_counter()
            pruned(solution, args.items, 500)
            prune[name].append(time.perf_counter() - start)
    same = all(
        np.array_equal(a, b)
        for a, b in zip(results["row_major"], results["column_major"], strict=True)
    )
    if not same:
        raise SystemExit("row-major and column-major B scored differently")
    return {
        **summary(x, args.scored, fit, seconds),
        "score_column_major_over_row_major": ratio(seconds, "column_major", "row_major"),
        "prune_seconds": {k: round(statistics.median(v), 3) for k, v in prune.items()},
        "identical_scores": same,
    }


def dual(args: argparse.Namespace) -> dict[str, object]:
    x = plays(args.dual_users, args.dual_items, args.dual_per_user, args.seed)
    start = time.perf_counter()
    solution = DualEase(x, 100.0)
    fit = time.perf_counter() - start
    scored = blocks(x[: args.dual_scored])
    ways = {
        "dense_product": lambda block: solution.user_scores(block),
        "sparse_product": lambda block: sparse_product_scores(solution, block),
    }
    seconds: dict[str, list[float]] = {name: [] for name in ways}
    results: dict[str, list[np.ndarray]] = {}
    for _ in range(args.repeats):
        for name, way in ways.items():
            start = time.perf_counter()
            results[name] = [way(block) for block in scored]
            seconds[name].append(time.perf_counter() - start)
    largest = max(
        float(np.abs(a - b).max())
        for a, b in zip(results["dense_product"], results["sparse_product"], strict=True)
    )
    if largest > 1e-6:
        raise SystemExit(f"the two products differ by {largest}")
    return {
        **summary(x, args.dual_scored, fit, seconds),
        "score_sparse_over_dense": ratio(seconds, "sparse_product", "dense_product"),
        "largest_score_difference": largest,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("primal", "dual"), default=None)
    parser.add_argument("--users", type=int, default=8_000, help="primal: users fitted on")
    parser.add_argument("--items", type=int, default=10_000, help="primal: EASE's items")
    parser.add_argument("--per-user", type=int, default=60, help="primal: plays drawn per user")
    parser.add_argument("--scored", type=int, default=5_000, help="primal: users scored per run")
    parser.add_argument("--dual-users", type=int, default=1_892)
    parser.add_argument("--dual-items", type=int, default=17_632)
    parser.add_argument("--dual-per-user", type=int, default=50)
    parser.add_argument("--dual-scored", type=int, default=920)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    out: dict[str, object] = {}
    if args.only in (None, "primal"):
        out["primal"] = primal(args)
    if args.only in (None, "dual"):
        out["dual"] = dual(args)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
