"""Recommend latency while the model retrains alongside on 1 or n threads.

The server retrains in a worker thread after imports and keeps answering
requests from the previous model. Training can use several threads
(`ECHOTUNE_RECOMMEND__TRAIN_THREADS`: RP3beta's neighbour blocks and the ALS
fit); that shortens the retrain but leaves fewer cores to requests. This fits a
served model on synthetic power-law listening, times `recommend([the heaviest
listener], 10)` at rest, then, for each repeat, retrains on 1 thread and on
`--workers` threads (alternating, in this process) while timing the same call
every `--interval-ms`, and reports the fit time and the latency percentiles
during each fit. Prints JSON; medians over repeats and ratios to one thread.

    python bench/retrain_latency.py
    python bench/retrain_latency.py --users 100000 --plays 10000000 --items 1000000
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time

import numpy as np

from echotune.recommend.cf.blas import single_threaded_blas
from echotune.recommend.cf.echotune_model import EchoTuneModel, training_threads
from echotune.recommend.cf.interactions import Interactions
from echotune.recommend.cf.synthetic import SyntheticSpec, synthetic_interactions


def latencies_during(
    served: EchoTuneModel, user: int, fit: threading.Thread, interval: float
) -> list[float]:
    """Milliseconds of each recommend call made while `fit` runs, one every `interval` s."""
    out: list[float] = []
    fit.start()
    with single_threaded_blas():
        while fit.is_alive():
            start = time.perf_counter()
            served.recommend([user], 10)
            out.append((time.perf_counter() - start) * 1000)
            time.sleep(interval)
    fit.join()
    return out


def retrain(data: Interactions, workers: int, seconds: list[float]) -> threading.Thread:
    def run() -> None:
        with training_threads(workers):
            start = time.perf_counter()
            EchoTuneModel().fit(data)
            seconds.append(time.perf_counter() - start)

    return threading.Thread(target=run, name=f"retrain-{workers}")


def percentiles(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(float(np.percentile(values, 50)), 2),
        "p99_ms": round(float(np.percentile(values, 99)), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=30_000)
    parser.add_argument("--plays", type=int, default=3_000_000)
    parser.add_argument("--items", type=int, default=300_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--interval-ms", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    spec = SyntheticSpec(users=args.users, plays=args.plays, items=args.items, seed=args.seed)
    data = synthetic_interactions(spec)
    served = EchoTuneModel()
    served.fit(data)
    user = int(np.argmax(np.diff(data.matrix.indptr)))
    interval = args.interval_ms / 1000
    with single_threaded_blas():
        served.recommend([user], 10)
        rest = []
        for _ in range(200):
            start = time.perf_counter()
            served.recommend([user], 10)
            rest.append((time.perf_counter() - start) * 1000)
    runs: dict[int, list[dict[str, float]]] = {1: [], args.workers: []}
    for _ in range(args.repeats):
        for workers, results in runs.items():
            seconds: list[float] = []
            calls = latencies_during(served, user, retrain(data, workers, seconds), interval)
            results.append({"fit_seconds": seconds[0], **percentiles(calls)})
    summary = {
        str(workers): {
            key: round(statistics.median(run[key] for run in results), 2)
            for key in ("fit_seconds", "p50_ms", "p99_ms")
        }
        for workers, results in runs.items()
    }
    one, many = summary["1"], summary[str(args.workers)]
    print(
        json.dumps(
            {
                "bench": "retrain_latency",
                "users": args.users,
                "plays": args.plays,
                "catalog_items": args.items,
                "distinct_pairs": data.nnz,
                "listener_items": int(data.seen(user).size),
                "interval_ms": args.interval_ms,
                "repeats": args.repeats,
                "at_rest": percentiles(rest),
                "during_retrain_by_threads": summary,
                "runs": {str(k): v for k, v in runs.items()},
                "fit_speedup": round(one["fit_seconds"] / many["fit_seconds"], 2),
                "p99_ratio_many_to_one": round(many["p99_ms"] / one["p99_ms"], 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
