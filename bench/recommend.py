"""Benchmark of the /v1/recommendations engine, in process. Prints JSON.

For each catalog size: p50/p99 of `recommend()` over a fixed mix of queries
(mixed seeds, targets and min/max filters), the median time of one plain
numpy full scan of the same feature matrix (squared distance of every row to
one query vector), their ratio, and memory. Each size runs in a fresh child
process so that its peak RSS is its own. Catalogs are synthetic (see
`echotune.recommend.synthetic`); nothing outside the repo is read.

    python bench/recommend.py                   # 28,356 (bundled size) and 1,000,000 tracks
    python bench/recommend.py --tracks 200000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from echotune.catalog.models import TUNABLE_ATTRIBUTES
from echotune.recommend import FeatureIndex, RecommendationQuery, recommend
from echotune.recommend.query import ATTRIBUTE_RANGES, INTEGER_ATTRIBUTES

DEFAULT_SIZES = (28_356, 1_000_000)


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 1e6


def _bounds(index: FeatureIndex, rng: np.random.Generator, attribute: str) -> tuple[float, float]:
    """A min and a max around a random track's value, inside the attribute's range."""
    value = float(index.column(attribute)[rng.integers(len(index))])
    spread = float(index.column(attribute).std()) * rng.uniform(0.5, 2.0)
    low, high = ATTRIBUTE_RANGES[attribute]
    lo, hi = value - spread, value + spread
    lo = max(lo, low) if low is not None else lo
    hi = min(hi, high) if high is not None else hi
    if attribute in INTEGER_ATTRIBUTES:
        lo, hi = float(np.floor(lo)), float(np.ceil(hi))
    return lo, hi


def _query(index: FeatureIndex, rng: np.random.Generator) -> RecommendationQuery:
    n_seeds = int(rng.integers(1, 6))
    kinds = rng.choice(["track", "artist", "genre"], size=n_seeds, p=[0.5, 0.3, 0.2])
    rows = rng.integers(len(index), size=n_seeds)
    genres = index.available_genres()
    tracks = tuple(str(index.ids[r]) for r, k in zip(rows, kinds, strict=True) if k == "track")
    artists = tuple(index.artist_of_row(int(r)) for r, k in zip(rows, kinds, strict=True) if k == "artist")
    seed_genres = tuple(genres[rng.integers(len(genres))] for k in kinds if k == "genre")
    attrs = rng.permutation(TUNABLE_ATTRIBUTES)
    n_targets, n_filters = int(rng.integers(0, 4)), int(rng.integers(0, 4))
    targets = {str(a): _bounds(index, rng, str(a))[int(rng.integers(2))] for a in attrs[:n_targets]}
    minimums: dict[str, float] = {}
    maximums: dict[str, float] = {}
    for attribute in attrs[n_targets : n_targets + n_filters]:
        lo, hi = _bounds(index, rng, str(attribute))
        if rng.random() < 0.7:
            minimums[str(attribute)] = lo
        if rng.random() < 0.7:
            maximums[str(attribute)] = hi
    return RecommendationQuery(
        seed_tracks=tracks,
        seed_artists=artists,
        seed_genres=seed_genres,
        limit=int(rng.choice([10, 20, 50, 100])),
        min_values=minimums,
        max_values=maximums,
        target_values=targets,
    )


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1e3)


def run_one(n: int, n_queries: int, seed: int) -> dict[str, float | int]:
    rss_before = _rss_mb()
    start = time.perf_counter()
    index = FeatureIndex.synthetic(n, seed)
    build_s = time.perf_counter() - start
    rss_index = _rss_mb()
    rng = np.random.default_rng(seed + 1)
    queries = [_query(index, rng) for _ in range(n_queries)]
    for query in queries[:10]:
        recommend(index, query)  # warm caches and BLAS threads
    latencies = []
    for query in queries:
        t0 = time.perf_counter()
        recommend(index, query)
        latencies.append(time.perf_counter() - t0)
    x = index.raw
    q = x[int(rng.integers(n))].copy()
    scan_ms = _median_ms(lambda: ((x - q) ** 2).sum(axis=1), 21)
    z = index.standardised
    matvec_ms = _median_ms(lambda: z @ z[0], 21)
    p50, p99 = (float(np.percentile(latencies, p) * 1e3) for p in (50, 99))
    return {
        "tracks": n,
        "queries": n_queries,
        "build_s": round(build_s, 2),
        "p50_ms": round(p50, 2),
        "p99_ms": round(p99, 2),
        "max_ms": round(max(latencies) * 1e3, 2),
        "scan_ms": round(scan_ms, 2),
        "p99_over_scan": round(p99 / scan_ms, 2),
        "blas_matvec_ms": round(matvec_ms, 2),
        "index_arrays_mb": round(index.nbytes / 1e6, 1),
        "index_rss_mb": round(rss_index - rss_before, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_process or len(args.tracks) == 1:
        results = [run_one(n, args.queries, args.seed) for n in args.tracks]
    else:
        results = []
        for n in args.tracks:
            cmd = [sys.executable, str(Path(__file__).resolve()), "--tracks", str(n)]
            cmd += ["--queries", str(args.queries), "--seed", str(args.seed)]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            results.extend(json.loads(out)["results"])
    print(json.dumps({"benchmark": "recommend", "results": results}, indent=2))


if __name__ == "__main__":
    main()
