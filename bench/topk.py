"""Top-k selection over blocks of scores: a cut from a column sample against whole rows. Prints JSON.

Every recommend ends in `echotune.recommend.cf.base.top_k` over blocks of
scores (16 M cells: 92 rows at 173,518 items, a Last.fm-1K-sized catalog).
It takes each row's cut from every eighth column and ranks only the columns
at least that good (`ranked_above`). The baseline, `whole_rows` below, is how
it selected before: the cut is each whole row's k-th best value
(`whole_row_cut`, `np.partition` on a negated copy), then the same ranking. Both run alternately in this process on four
kinds of block:

- `dense`: normal scores (a latent-factor model);
- `item_item`: 20,000 scored items per row and the rest 0 (x_u W of an
  item-item model), 200 played items at -inf;
- `item_item_prior`: the same plus a popularity prior that breaks the ties;
- `tied_at_cut`: 10 scored items per row and the rest 0, so the cut is 0
  and nearly every column ties there.

The two must return the same lists (the run fails otherwise). Reported:
milliseconds per block (median of `--repeats`), and whole_rows / top_k.

    python bench/topk.py
    python bench/topk.py --items 1000000 --k 10
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from echotune.recommend.cf.base import BLOCK_CELLS, ranked_above, top_k, whole_row_cut

F32 = npt.NDArray[np.float32]
Idx = npt.NDArray[np.int64]


def whole_rows(scores: F32, k: int) -> Idx:
    """The selection `top_k` made before: each whole row's k-th best, then the same ranking."""
    return ranked_above(scores, k, whole_row_cut(scores, min(k, scores.shape[1])))


def blocks(rows: int, items: int, seed: int) -> dict[str, F32]:
    rng = np.random.default_rng(seed)
    item_item = np.zeros((rows, items), dtype=np.float32)
    for row in item_item:
        row[rng.integers(0, items, 20_000)] = rng.random(20_000, dtype=np.float32)
    item_item[:, rng.integers(0, items, 200)] = -np.inf
    tied = np.zeros((rows, items), dtype=np.float32)
    for row in tied:
        row[rng.integers(0, items, 10)] = 1.0 + rng.random(10, dtype=np.float32)
    prior = np.linspace(0.01, 0.0, items, dtype=np.float32)
    return {
        "dense": rng.standard_normal((rows, items), dtype=np.float32),
        "item_item": item_item,
        "item_item_prior": item_item + prior,
        "tied_at_cut": tied,
    }


def timed(select: Callable[[F32, int], Idx], scores: F32, k: int) -> float:
    started = time.perf_counter()
    select(scores, k)
    return (time.perf_counter() - started) * 1000.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=173_518)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rows = max(1, BLOCK_CELLS // args.items)
    out: dict[str, object] = {"rows": rows, "items": args.items, "k": args.k}
    for name, scores in blocks(rows, args.items, seed=0).items():
        if not np.array_equal(top_k(scores, args.k), whole_rows(scores, args.k)):
            raise SystemExit(f"{name}: top_k and whole_rows disagree")
        sampled, whole = [], []
        for _ in range(args.repeats):  # alternating, so load affects both alike
            sampled.append(timed(top_k, scores, args.k))
            whole.append(timed(whole_rows, scores, args.k))
        out[name] = {
            "top_k_ms": [round(t, 1) for t in sampled],
            "whole_rows_ms": [round(t, 1) for t in whole],
            "median_ms": {
                "top_k": round(statistics.median(sampled), 1),
                "whole_rows": round(statistics.median(whole), 1),
            },
            "speedup": round(statistics.median(whole) / statistics.median(sampled), 2),
        }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
