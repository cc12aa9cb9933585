"""Training cost and recommend latency of the production CF model (`echotune`). Prints JSON.

For each size, in a fresh child process (so peak RSS is its own): generate
synthetic power-law listening (`echotune.recommend.cf.synthetic`: Zipf item
popularity, log-normal user activity, taste clusters), fit `EchoTuneModel`
with its defaults, and report wall and CPU seconds and peak RSS. The largest
size also gets one heavy listener with 10,000 plays, and the latency of
`recommend([user], 10)` for that user is measured (p50/p99 over repeated
calls, in process, BLAS on one thread as a serving process runs it).

    python bench/train.py                     # 2k users/100k plays/20k items, 100k/10M/1M
    python bench/train.py --sizes 2000:100000:20000 --repeats 50
    python bench/train.py --threads 1 2   # each size on 1, then 2 training threads

`--threads` is what `echotune train --threads` and the server's
`ECHOTUNE_RECOMMEND__TRAIN_THREADS` set (`fit_artifact`): the threads building
RP3beta's neighbour blocks and fitting the ALS term. Without it the fit runs as
a bare `EchoTuneModel().fit` does: blocks on one thread, ALS on every core.
With several counts, each size runs once per count, in order, each in its own
process, and the JSON gives each run's fit time as a ratio to the first's.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from echotune.recommend.cf.interactions import Interactions

DEFAULT_SIZES = ("2000:100000:20000", "100000:10000000:1000000")
HEAVY_PLAYS = 10_000


def _with_heavy_user(users: int, plays: int, items: int, seed: int) -> Interactions:
    """Synthetic interactions plus user 'heavy' with HEAVY_PLAYS plays from the same charts."""
    import numpy as np

    from echotune.recommend.cf.interactions import Interactions
    from echotune.recommend.cf.synthetic import SyntheticSpec, synthetic_plays

    spec = SyntheticSpec(users=users, plays=plays, items=items, clusters=200, seed=seed)
    rows, cols = synthetic_plays(spec)
    heavy = synthetic_plays(SyntheticSpec(users=1, plays=HEAVY_PLAYS, items=items, seed=seed + 1))
    rows = np.concatenate([rows, np.full(HEAVY_PLAYS, users, dtype=np.int64)])
    cols = np.concatenate([cols, heavy[1]])
    del heavy
    user_ids = [f"u{i}" for i in range(users)] + ["heavy"]
    return Interactions.from_indices(
        user_ids, [f"i{i}" for i in range(items)], rows, cols, np.ones(rows.size, np.float32)
    )


def run_one(size: str, repeats: int, seed: int, threads: int | None) -> dict[str, object]:
    import numpy as np

    from echotune.recommend.cf.blas import single_threaded_blas
    from echotune.recommend.cf.echotune_model import EchoTuneModel, training_threads

    users, plays, items = (int(v) for v in size.split(":"))
    started = time.perf_counter()
    data = _with_heavy_user(users, plays, items, seed)
    generated = time.perf_counter() - started
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    model = EchoTuneModel()
    cpu, wall = time.process_time(), time.perf_counter()
    if threads is None:
        model.fit(data)
    else:
        with training_threads(threads):
            model.fit(data)
    fit_wall, fit_cpu = time.perf_counter() - wall, time.process_time() - cpu
    heavy = data.user_index("heavy")
    assert heavy is not None
    latencies = []
    with single_threaded_blas():
        model.recommend([heavy], 10)  # warm-up
        for _ in range(repeats):
            t0 = time.perf_counter()
            model.recommend([heavy], 10)
            latencies.append((time.perf_counter() - t0) * 1000)
    return {
        "users": users,
        "plays": plays,
        "catalog_items": items,
        "threads": threads,
        "distinct_pairs": data.nnz,
        "played_items": int(np.count_nonzero(np.bincount(data.matrix.indices, minlength=items))),
        "generate_seconds": round(generated, 2),
        "fit_wall_seconds": round(fit_wall, 2),
        "fit_cpu_seconds": round(fit_cpu, 2),
        "rss_before_fit_mb": round(rss_before),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "model_nnz": int(model.weights.nnz),
        "heavy_user_distinct_items": int(data.seen(heavy).size),
        "recommend_ms_p50": round(float(np.percentile(latencies, 50)), 2),
        "recommend_ms_p99": round(float(np.percentile(latencies, 99)), 2),
        "recommend_calls": repeats,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="*", default=list(DEFAULT_SIZES), help="users:plays:items")
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, nargs="+", default=[None])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = run_one(args.child, args.repeats, args.seed, args.threads[0])
        print(json.dumps(result))
        return
    results = []
    for size in args.sizes:
        first: float | None = None
        for threads in args.threads:
            result = _child(size, args.repeats, args.seed, threads)
            fit = result.get("fit_wall_seconds")
            if isinstance(fit, float):
                first = fit if first is None else first
                result["fit_ratio_to_first"] = round(first / fit, 2)
            results.append(result)
    print(json.dumps({"model": "echotune", "results": results}, indent=2))


def _child(size: str, repeats: int, seed: int, threads: int | None) -> dict[str, object]:
    """`run_one` in a fresh process, so that its peak RSS is its own."""
    cmd = [sys.executable, __file__, "--child", size, "--repeats", str(repeats)]
    cmd += ["--seed", str(seed)] + ([] if threads is None else ["--threads", str(threads)])
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {
            "size": size,
            "threads": threads,
            "error": done.stderr.strip().splitlines()[-5:],
        }
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


if __name__ == "__main__":
    main()
