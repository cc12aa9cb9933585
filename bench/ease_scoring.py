"""Scoring users with EASE's dense item x item matrix B: row-major against column-major. Prints JSON.

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

    python bench/ease_scoring.py
    python bench/ease_scoring.py --items 5000 --users 2000
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np
import scipy.sparse as sp

from echotune.recommend.cf.ease_solver import PrimalEase, pruned

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8_000, help="users fitted on")
    parser.add_argument("--items", type=int, default=10_000, help="EASE's items")
    parser.add_argument("--per-user", type=int, default=60, help="plays drawn per user")
    parser.add_argument("--scored", type=int, default=5_000, help="users scored per run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    x = plays(args.users, args.items, args.per_user, args.seed)
    start = time.perf_counter()
    solution = PrimalEase(x, 100.0)
    fit = time.perf_counter() - start
    orders = {"row_major": solution.b, "column_major": np.asfortranarray(solution.b)}
    scored = x[: args.scored]

    def score() -> list[np.ndarray]:
        return [
            solution.user_scores(scored[s : s + BLOCK]) for s in range(0, scored.shape[0], BLOCK)
        ]

    seconds: dict[str, list[float]] = {name: [] for name in orders}
    prune: dict[str, list[float]] = {name: [] for name in orders}
    results: dict[str, list[np.ndarray]] = {}
    for _ in range(args.repeats):  # alternate, so load on the machine hits both alike
        for name, b in orders.items():
            solution.b = b
            start = time.perf_counter()
            results[name] = score()
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
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    prune_medians = {name: statistics.median(values) for name, values in prune.items()}
    print(
        json.dumps(
            {
                "users": args.users,
                "items": args.items,
                "nnz": int(x.nnz),
                "scored_users": int(scored.shape[0]),
                "fit_seconds": round(fit, 2),
                "score_seconds": {k: round(v, 3) for k, v in medians.items()},
                "score_runs": {k: [round(t, 3) for t in v] for k, v in seconds.items()},
                "score_column_major_over_row_major": round(
                    medians["column_major"] / medians["row_major"], 2
                ),
                "prune_seconds": {k: round(v, 3) for k, v in prune_medians.items()},
                "identical_scores": same,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
