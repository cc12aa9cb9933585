"""Personal recommendations in process: a listener with 10,000 plays, 1,000,000 tracks.

Times what a warm request computes: collaborative scores of the listener's
current plays (x·W over a sparse item x item matrix), the hybrid score of
every catalog row, the top pool and the MMR re-rank. Also reports the cold
cost of building the taste profile (done once, then cached until the
listener's plays or feedback change) and, as a baseline in the same run, one
plain numpy full scan of the feature matrix. Prints JSON.

    python bench/personal.py [--tracks 1000000] [--plays 10000] [--queries 200]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from echotune.listening.models import Play
from echotune.recommend.feature_index import FeatureIndex
from echotune.recommend.personal.cf_scorer import CFArtifact, CFScorer
from echotune.recommend.personal.context import ACTIVITIES, MOODS, context_targets
from echotune.recommend.personal.ranker import RankRequest, rank
from echotune.recommend.personal.taste import build_profile


def synthetic_artifact(index: FeatureIndex, neighbours: int, seed: int) -> CFArtifact:
    rng = np.random.default_rng(seed)
    n = len(index)
    cols = rng.integers(0, n, size=(n, neighbours))
    data = rng.random((n, neighbours), dtype=np.float32)
    weights = sp.csr_matrix(
        (data.ravel(), cols.ravel(), np.arange(0, n * neighbours + 1, neighbours)), shape=(n, n)
    )
    weights.sum_duplicates()
    return CFArtifact(
        name="synthetic", item_ids=tuple(str(i) for i in index.ids), weights=weights,
        prior=np.zeros(n, dtype=np.float32), weighting="log",
        trained_at=datetime.now(UTC), users=0, interactions=0,
    )  # fmt: skip


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tracks", type=int, default=1_000_000)
    parser.add_argument("--plays", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--neighbours", type=int, default=20)
    args = parser.parse_args()
    threadpool_limits(1, user_api="blas")
    rng = np.random.default_rng(1)
    index = FeatureIndex.synthetic(args.tracks, seed=1)
    scorer = CFScorer(synthetic_artifact(index, args.neighbours, 2), index)
    now = datetime.now(UTC)
    # A listener's plays concentrate on a few thousand tracks, as real ones do.
    favourites = rng.choice(len(index), size=min(3000, len(index)), replace=False)
    plays = [
        Play(user_id="bench", track_id=str(index.ids[int(rng.choice(favourites))]),
             played_at=now - timedelta(minutes=int(i)), ms_played=int(rng.integers(5_000, 300_000)))
        for i in range(args.plays)
    ]  # fmt: skip
    start = time.perf_counter()
    profile = build_profile("bench", index, plays, [], now)
    profile_ms = (time.perf_counter() - start) * 1000
    contexts = [(None, None)] + [(m, None) for m in MOODS] + [(None, a) for a in ACTIVITIES]
    times: list[float] = []
    scans: list[float] = []
    x = np.ascontiguousarray(index.raw)
    for i in range(args.queries):
        mood, activity = contexts[i % len(contexts)]
        req = RankRequest(limit=20, diversity=0.3, targets=context_targets(mood, activity, None))
        start = time.perf_counter()
        cf = scorer.scores(profile.track_weights)
        rank(index, profile, cf, req)
        times.append((time.perf_counter() - start) * 1000)
        q = x[int(rng.integers(len(index)))]
        start = time.perf_counter()
        ((x - q) ** 2).sum(axis=1)
        scans.append((time.perf_counter() - start) * 1000)
    p99 = percentile(times, 0.99)
    print(json.dumps({
        "tracks": len(index), "plays": args.plays, "distinct_tracks_played": len(profile.track_weights),
        "queries": args.queries,
        "warm_ms": {"p50": round(statistics.median(times), 3), "p99": round(p99, 3)},
        "profile_build_ms": round(profile_ms, 1),
        "plain_scan_ms_median": round(statistics.median(scans), 3),
        "p99_over_scan": round(p99 / statistics.median(scans), 2),
        "target_p99_ms": 30,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
