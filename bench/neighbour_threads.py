"""Item-neighbour builds on threads: RP3beta and cosine blocks, one thread against several. Prints JSON.

`rp3_neighbours` and `cosine_lists` build item-item weights a block of items
at a time. scipy's sparse product releases the GIL, so under
`similarity.block_workers(n)` the blocks are built on n threads (what
`echotune eval` does, with as many threads as CPUs, at most 4). This builds
both on synthetic power-law listening (or `--file`), alternating one thread
and `--workers` in the same process, and reports medians and one / many.
The matrices must be the same entry for entry (the run fails otherwise).

    python bench/neighbour_threads.py
    python bench/neighbour_threads.py --file plays.tsv.gz --repeats 2
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from echotune.recommend.cf.files import read_interactions
from echotune.recommend.cf.rp3 import rp3_neighbours
from echotune.recommend.cf.similarity import block_workers, cosine_lists
from echotune.recommend.cf.synthetic import SyntheticSpec, synthetic_interactions
from echotune.recommend.cf.weighting import weigh


def timed(build: Callable[[], sp.csr_matrix], workers: int) -> tuple[float, sp.csr_matrix]:
    with block_workers(workers):
        start = time.perf_counter()
        matrix = build()
        return time.perf_counter() - start, matrix


def same(a: sp.csr_matrix, b: sp.csr_matrix) -> bool:
    return all(
        np.array_equal(x, y)
        for x, y in ((a.indptr, b.indptr), (a.indices, b.indices), (a.data, b.data))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--plays", type=int, default=4_000_000)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--file", type=Path, default=None, help="read this file instead")
    parser.add_argument("--neighbours", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.file is not None:
        data = read_interactions(args.file)
    else:
        spec = SyntheticSpec(users=args.users, plays=args.plays, items=args.items, seed=args.seed)
        data = synthetic_interactions(spec)
    x = weigh(data.matrix, "log")
    k = args.neighbours
    builds: dict[str, Callable[[], sp.csr_matrix]] = {
        "rp3": lambda: rp3_neighbours(x, k, 0.75, 0.35),
        "cosine": lambda: cosine_lists(x, k, 10.0),
    }
    out: dict[str, object] = {
        "users": data.n_users,
        "items": data.n_items,
        "entries": data.nnz,
        "neighbours": k,
        "workers": args.workers,
    }
    for name, build in builds.items():
        runs: dict[str, list[float]] = {"one": [], "many": []}
        for _ in range(args.repeats):  # alternate, so load on the machine hits both alike
            one, serial = timed(build, 1)
            many, threaded = timed(build, args.workers)
            if not same(serial, threaded):
                raise SystemExit(f"{name}: threads built a different matrix")
            runs["one"].append(one)
            runs["many"].append(many)
        medians = {w: statistics.median(r) for w, r in runs.items()}
        out[name] = {
            "seconds": {w: round(v, 1) for w, v in medians.items()},
            "seconds_runs": {w: [round(v, 1) for v in r] for w, r in runs.items()},
            "one_over_many": round(medians["one"] / medians["many"], 2),
            "same_matrix": True,
        }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
