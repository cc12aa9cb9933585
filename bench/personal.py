"""Personal recommendations in process: a listener with 10,000 plays, 1,000,000 tracks.

Times what a warm request computes: collaborative scores of the listener's
current plays (x·W over a sparse item x item matrix), the hybrid score of
the catalog (the taste kernel only where its bound can still reach the pool),
the top pool and the MMR re-rank. Wall and CPU time per request: the machine
is shared, and CPU time shows when a slow request was only waiting. Also
reports the cold costs, done once and cached (the listener's taste profile,
until their plays or feedback change; the kernel bounds, until the catalog
does), the same requests over the exact whole-catalog path (`--compare`: its
time and how many of the top 20 agree), and, as a baseline in the same run,
one plain numpy full scan of the feature matrix. Prints JSON.

    python bench/personal.py [--tracks 1000000] [--plays 10000] [--queries 200]
                             [--latent-factors 32] [--compare]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from echotune.listening.models import Play
from echotune.recommend.feature_index import FeatureIndex
from echotune.recommend.personal.bounds import ContentBounds
from echotune.recommend.personal.cf_scorer import CFArtifact, CFScorer
from echotune.recommend.personal.context import ACTIVITIES, MOODS, context_targets
from echotune.recommend.personal.ranker import Ranked, RankRequest, rank
from echotune.recommend.personal.taste import TasteProfile, build_profile

T = TypeVar("T")


def synthetic_artifact(
    index: FeatureIndex, neighbours: int, seed: int, latent_factors: int = 0
) -> CFArtifact:
    """Random item-item weights; with latent factors, also the production model's
    ALS term and a popularity-rank prior (what `EchoTuneModel()` defaults to)."""
    rng = np.random.default_rng(seed)
    n = len(index)
    cols = rng.integers(0, n, size=(n, neighbours))
    data = rng.random((n, neighbours), dtype=np.float32)
    weights = sp.csr_matrix(
        (data.ravel(), cols.ravel(), np.arange(0, n * neighbours + 1, neighbours)), shape=(n, n)
    )
    weights.sum_duplicates()
    prior = np.zeros(n, dtype=np.float32)
    factors = np.zeros((0, 0), dtype=np.float32)
    if latent_factors:
        ranks = np.argsort(np.argsort(index.column("popularity"), kind="stable"))
        prior = (0.02 * ranks / max(n - 1, 1)).astype(np.float32)
        factors = rng.normal(0, 0.1, size=(n, latent_factors)).astype(np.float32)
    return CFArtifact(
        name="synthetic", item_ids=tuple(str(i) for i in index.ids), weights=weights,
        prior=prior, weighting="log", trained_at=datetime.now(UTC), users=0, interactions=0,
        item_factors=factors, latent_weight=0.8 if latent_factors else 0.0,
    )  # fmt: skip


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def listener(index: FeatureIndex, plays: int, rng: np.random.Generator) -> list[Play]:
    now = datetime.now(UTC)
    # A listener's plays concentrate on a few thousand tracks, as real ones do.
    favourites = rng.choice(len(index), size=min(3000, len(index)), replace=False)
    return [
        Play(user_id="bench", track_id=str(index.ids[int(rng.choice(favourites))]),
             played_at=now - timedelta(minutes=int(i)), ms_played=int(rng.integers(5_000, 300_000)))
        for i in range(plays)
    ]  # fmt: skip


def requests(queries: int) -> list[RankRequest]:
    """No context, then each mood, then each activity, round and round."""
    contexts: list[tuple[str | None, str | None]] = [(None, None)]
    contexts += [(m, None) for m in MOODS] + [(None, a) for a in ACTIVITIES]
    return [
        RankRequest(limit=20, diversity=0.3, targets=context_targets(mood, activity, None))
        for mood, activity in (contexts[i % len(contexts)] for i in range(queries))
    ]


def timed(run: Callable[..., object], *args: object) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    run(*args)
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def answer(
    index: FeatureIndex,
    profile: TasteProfile,
    scorer: CFScorer,
    req: RankRequest,
    bounds: ContentBounds | None,
) -> list[Ranked]:
    """One warm request: collaborative scores, then the ranker."""
    return rank(index, profile, scorer.scores(profile.track_weights), req, bounds)


def scan(x: npt.NDArray[np.float32], q: npt.NDArray[np.float32]) -> None:
    ((x - q) ** 2).sum(axis=1)


def summary(wall: list[float], cpu: list[float]) -> dict[str, float]:
    return {
        "p50": round(statistics.median(wall), 3), "p99": round(percentile(wall, 0.99), 3),
        "cpu_p50": round(statistics.median(cpu), 3), "cpu_p99": round(percentile(cpu, 0.99), 3),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tracks", type=int, default=1_000_000)
    parser.add_argument("--plays", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--neighbours", type=int, default=20)
    parser.add_argument("--latent-factors", type=int, default=0)
    parser.add_argument("--compare", action="store_true", help="also time the exact full path")
    args = parser.parse_args()
    threadpool_limits(1, user_api="blas")
    rng = np.random.default_rng(1)
    index = FeatureIndex.synthetic(args.tracks, seed=1)
    scorer = CFScorer(synthetic_artifact(index, args.neighbours, 2, args.latent_factors), index)
    plays = listener(index, args.plays, rng)
    profile_ms, profile = timed_value(
        lambda: build_profile("bench", index, plays, [], datetime.now(UTC))
    )
    bounds_ms, bounds = timed_value(lambda: ContentBounds.build(index))
    times, cpu, scans = warm_runs(index, profile, scorer, bounds, args.queries, rng)
    baseline = statistics.median(scans)
    out: dict[str, object] = {
        "tracks": len(index), "plays": args.plays, "distinct_tracks_played": len(profile.track_weights),
        "queries": args.queries, "latent_factors": args.latent_factors,
        "warm_ms": summary(times, cpu),
        "profile_build_ms": round(profile_ms, 1), "bounds_build_ms": round(bounds_ms, 1),
        "plain_scan_ms_median": round(baseline, 3),
        "p50_over_scan": round(statistics.median(times) / baseline, 3),
        "p99_over_scan": round(percentile(times, 0.99) / baseline, 3),
        "target_p99_ms": 30,
    }  # fmt: skip
    if args.compare:
        out["exact_path"] = compare(
            index, profile, scorer, bounds, requests(len(MOODS) + len(ACTIVITIES) + 1)
        )
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out, indent=2))


def warm_runs(
    index: FeatureIndex,
    profile: TasteProfile,
    scorer: CFScorer,
    bounds: ContentBounds,
    queries: int,
    rng: np.random.Generator,
) -> tuple[list[float], list[float], list[float]]:
    """Wall and CPU ms of each request, and of a plain scan after each, in turn."""
    x = np.ascontiguousarray(index.raw)
    times: list[float] = []
    cpu: list[float] = []
    scans: list[float] = []
    for req in requests(queries):
        wall_ms, cpu_ms = timed(answer, index, profile, scorer, req, bounds)
        times.append(wall_ms)
        cpu.append(cpu_ms)
        scans.append(timed(scan, x, x[int(rng.integers(len(index)))])[0])
    return times, cpu, scans


def timed_value(build: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    value = build()
    return (time.perf_counter() - start) * 1000, value


def compare(
    index: FeatureIndex,
    profile: TasteProfile,
    scorer: CFScorer,
    bounds: ContentBounds,
    reqs: list[RankRequest],
) -> dict[str, object]:
    """The exact whole-catalog path on one request per context: time and top-20 agreement."""
    wall: list[float] = []
    cpu: list[float] = []
    overlaps: list[int] = []
    for req in reqs:
        pruned = answer(index, profile, scorer, req, bounds)
        full = answer(index, profile, scorer, req, None)
        wall_ms, cpu_ms = timed(answer, index, profile, scorer, req, None)
        wall.append(wall_ms)
        cpu.append(cpu_ms)
        overlaps.append(len({r.row for r in pruned} & {r.row for r in full}))
    return {"warm_ms": summary(wall, cpu), "top20_overlap": overlaps}  # fmt: skip


if __name__ == "__main__":
    main()
