"""Benchmark of the /v1/recommendations engine, in process. Prints JSON.

For each catalog size: p50/p99 of `recommend()` over a fixed mix of ~200
queries (1-5 mixed seeds, 0-3 targets, 0-3 min/max filters, limit 10-100),
the median time of one plain numpy full scan of the same feature matrix
(`((X - q) ** 2).sum(axis=1)`: squared distance of every row to one query
vector), their ratio, and memory. The scan is timed between the queries, so
both see the same machine load. Wall-clock and CPU-time figures are both
reported; on a shared machine the CPU figures show the intrinsic cost.

Each size runs in a fresh child process, so its peak RSS is its own, with
BLAS limited to one thread (as a request-serving process should run it: the
parallelism is across requests, and a multi-threaded BLAS sharing cores with
other work stalls on its thread hand-offs). Catalogs are synthetic with
realistic distributions (`echotune.recommend.synthetic`); nothing outside
the repo is read.

    python bench/recommend.py                      # 28,356 (bundled size) and 1,000,000 tracks
    python bench/recommend.py --tracks 200000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from echotune.recommend import FeatureIndex, RecommendationQuery

DEFAULT_SIZES = (28_356, 1_000_000)


def _bounds(index: FeatureIndex, rng: np.random.Generator, attribute: str) -> tuple[float, float]:
    """A min and a max around a random track's value, inside the attribute's range."""
    import numpy as np

    from echotune.recommend.query import ATTRIBUTE_RANGES, INTEGER_ATTRIBUTES

    column = index.column(attribute)
    value = float(column[rng.integers(len(index))])
    spread = float(column[:: max(1, len(index) // 10_000)].std()) * rng.uniform(0.5, 2.0)
    low, high = ATTRIBUTE_RANGES[attribute]
    lo, hi = value - spread, value + spread
    lo = max(lo, low) if low is not None else lo
    hi = min(hi, high) if high is not None else hi
    if attribute in INTEGER_ATTRIBUTES:
        lo, hi = float(np.floor(lo)), float(np.ceil(hi))
    return lo, hi


def _query(index: FeatureIndex, rng: np.random.Generator) -> RecommendationQuery:
    from echotune.catalog.models import TUNABLE_ATTRIBUTES
    from echotune.recommend import RecommendationQuery

    kinds = rng.choice(
        ["track", "artist", "genre"], size=int(rng.integers(1, 6)), p=[0.5, 0.3, 0.2]
    )
    genres = index.available_genres()
    tracks, artists, seed_genres = [], [], []
    for kind in kinds:
        row = int(rng.integers(len(index)))
        if kind == "track":
            tracks.append(str(index.ids[row]))
        elif kind == "artist":
            artists.append(index.artist_of_row(row))
        else:
            seed_genres.append(genres[int(rng.integers(len(genres)))])
    attrs = [str(a) for a in rng.permutation(TUNABLE_ATTRIBUTES)]
    n_targets, n_filters = int(rng.integers(0, 4)), int(rng.integers(0, 4))
    targets = {a: _bounds(index, rng, a)[int(rng.integers(2))] for a in attrs[:n_targets]}
    minimums: dict[str, float] = {}
    maximums: dict[str, float] = {}
    for attribute in attrs[n_targets : n_targets + n_filters]:
        lo, hi = _bounds(index, rng, attribute)
        if rng.random() < 0.7:
            minimums[attribute] = lo
        if rng.random() < 0.7:
            maximums[attribute] = hi
    return RecommendationQuery(
        seed_tracks=tuple(tracks),
        seed_artists=tuple(artists),
        seed_genres=tuple(seed_genres),
        limit=int(rng.choice([10, 20, 50, 100])),
        min_values=minimums,
        max_values=maximums,
        target_values=targets,
    )


def _one_run(
    index: FeatureIndex, queries: list[RecommendationQuery], seed: int
) -> dict[str, float]:
    import time

    import numpy as np

    from echotune.recommend import recommend

    x = index.raw
    q = x[seed % len(index)].copy()
    wall, cpu, scan_wall, scan_cpu = [], [], [], []
    for i, query in enumerate(queries):
        w0, c0 = time.perf_counter(), time.process_time()
        recommend(index, query)
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
        if i % 4 == 0:
            w0, c0 = time.perf_counter(), time.process_time()
            ((x - q) ** 2).sum(axis=1)
            scan_wall.append(time.perf_counter() - w0)
            scan_cpu.append(time.process_time() - c0)
    ms = {name: np.asarray(v) * 1e3 for name, v in
          (("wall", wall), ("cpu", cpu), ("scan_wall", scan_wall), ("scan_cpu", scan_cpu))}  # fmt: skip
    return {
        "p50_ms": float(np.percentile(ms["wall"], 50)),
        "p99_ms": float(np.percentile(ms["wall"], 99)),
        "scan_ms": float(np.median(ms["scan_wall"])),
        "p99_over_scan": float(np.percentile(ms["wall"], 99) / np.median(ms["scan_wall"])),
        "cpu_p50_ms": float(np.percentile(ms["cpu"], 50)),
        "cpu_p99_ms": float(np.percentile(ms["cpu"], 99)),
        "cpu_scan_ms": float(np.median(ms["scan_cpu"])),
        "cpu_p99_over_scan": float(np.percentile(ms["cpu"], 99) / np.median(ms["scan_cpu"])),
    }


def run_size(n: int, n_queries: int, runs: int, seed: int) -> dict[str, object]:
    import resource
    import time

    import numpy as np

    from echotune.recommend import FeatureIndex, recommend

    def rss_mb() -> float:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize() / 1e6

    rss_before, start = rss_mb(), time.perf_counter()
    index = FeatureIndex.synthetic(n, seed)
    build_s, rss_index = time.perf_counter() - start, rss_mb()
    rng = np.random.default_rng(seed + 1)
    queries = [_query(index, rng) for _ in range(n_queries)]
    for query in queries[:20]:
        recommend(index, query)  # warm up caches and allocator
    per_run = [_one_run(index, queries, seed + r) for r in range(runs)]
    medians = {key: round(float(np.median([r[key] for r in per_run])), 2) for key in per_run[0]}
    return {
        "tracks": n,
        "queries": n_queries,
        "runs": runs,
        **medians,
        "p99_over_scan_per_run": [round(r["p99_over_scan"], 2) for r in per_run],
        "build_s": round(build_s, 2),
        "index_arrays_mb": round(index.nbytes / 1e6, 1),
        "index_rss_mb": round(rss_index - rss_before, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3, 1),
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tracks", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5, help="report the median over runs")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--blas-threads", default="1", help="OPENBLAS_NUM_THREADS for children")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = run_size(args.tracks[0], args.queries, args.runs, args.seed)
        print(json.dumps(result))
        return
    env = {
        **os.environ,
        "OPENBLAS_NUM_THREADS": args.blas_threads,
        "OMP_NUM_THREADS": args.blas_threads,
    }
    results = []
    for n in args.tracks:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--tracks", str(n),
               "--queries", str(args.queries), "--runs", str(args.runs), "--seed", str(args.seed)]  # fmt: skip
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
        results.append(json.loads(out))
    print(json.dumps({"benchmark": "recommend", "results": results}, indent=2))


if __name__ == "__main__":
    main()
