"""Cost of tuning item kNN's neighbour count: one build per group against one per trial. Prints JSON.

On synthetic listening shaped like Last.fm-1K (1,000 heavy listeners, ~170,000
artists, ~1 M user-artist pairs; `echotune.recommend.cf.synthetic`), the
itemknn grid's six neighbour counts at one shrink and weighting are scored
on validation folds two ways, in the same process, alternating:

- `per_trial`: each trial fitted on its own (`validation_score`, nothing
  reused), which is how `tune` scored the itemknn grid before;
- `grouped`: `tune` as it is now, which builds each fold's neighbours once,
  at the largest count, and cuts the smaller counts from it.

Both must give the same scores (checked: the run fails otherwise). Reported:
seconds per run, their medians, and per_trial / grouped.

`scoring` times what every trial ends with, recommending for the fold's
validation users, with item kNN fitted at 100 and 1,000 neighbours (log weighting): the
batch path (scipy's sparse product on a float64 copy of W) against the
bincount gather that scores one user (`item_based.rows_times`), which
scored batches too before. The two must recommend the same items.

`echotune` times a small `echotune` search on the first fold (prior weight
x EASE share, a 128-factor ALS term): its first trial builds the parts,
the others reuse them (`cf/memo.py`) and cost a scaling, a sum and the
scoring. Reported: each trial's seconds and the median of the reused ones.

    python bench/tune_knn.py                       # 3 repeats, 1 fold
    python bench/tune_knn.py --users 200 --plays 100000 --items 20000 --repeats 1
    python bench/tune_knn.py --only scoring
    python bench/tune_knn.py --only echotune
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from echotune.recommend.cf.base import ScoringModel
from echotune.recommend.cf.itemknn import ItemKNN
from echotune.recommend.cf.registry import Param
from echotune.recommend.cf.synthetic import SyntheticSpec, synthetic_interactions
from echotune.recommend.evaluation.grids import GRIDS
from echotune.recommend.evaluation.split import EvalSplit, holdout_split
from echotune.recommend.evaluation.trial import validation_score
from echotune.recommend.evaluation.tuning import tune


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--plays", type=int, default=2_000_000)
    parser.add_argument("--items", type=int, default=190_000)
    parser.add_argument("--folds", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--shrink", type=float, default=10.0)
    parser.add_argument("--only", choices=("grouping", "scoring", "echotune"), default=None)
    args = parser.parse_args()

    spec = SyntheticSpec(
        users=args.users, plays=args.plays, items=args.items, clusters=60, zipf=0.9,
        activity_sigma=0.8, seed=7,
    )  # fmt: skip
    data = synthetic_interactions(spec)
    train = holdout_split(data, 0.2, seed=42).train
    folds = [holdout_split(train, 0.2, seed=43 + f) for f in range(args.folds)]
    grid: dict[str, tuple[Param, ...]] = {
        "neighbours": tuple(GRIDS["itemknn"]["neighbours"]),
        "shrink": (args.shrink,),
        "weighting": ("binary",),
    }
    points = [{"neighbours": k, "shrink": args.shrink, "weighting": "binary"}
              for k in grid["neighbours"]]  # fmt: skip

    out: dict[str, object] = {
        "data": {
            "users": data.n_users,
            "items": int((data.matrix.getnnz(axis=0) > 0).sum()),
            "pairs": int(data.matrix.nnz),
        },
        "folds": args.folds,
    }
    if args.only in (None, "grouping"):
        out["grouping"] = _grouping(folds, grid, points, args.repeats)
    if args.only in (None, "scoring"):
        out["scoring"] = {
            str(k): _scoring(folds[0], k, args.shrink, args.repeats) for k in (100, 1000)
        }
    if args.only in (None, "echotune"):
        out["echotune"] = _echotune_trials(folds[0])
    print(json.dumps(out, indent=2))


def _grouping(
    folds: list[EvalSplit],
    grid: dict[str, tuple[Param, ...]],
    points: list[dict[str, Param]],
    repeats: int,
) -> dict[str, object]:
    def per_trial() -> dict[Param, float]:
        return {
            p["neighbours"]: sum(validation_score("itemknn", p, f, 42) for f in folds) / len(folds)
            for p in points
        }

    def grouped() -> dict[Param, float]:
        result = tune("itemknn", folds, grid=grid)
        return {p["neighbours"]: score for p, score in result.history}

    seconds: dict[str, list[float]] = {"per_trial": [], "grouped": []}
    scores: dict[str, dict[Param, float]] = {}
    for _ in range(repeats):
        for name, run in (("per_trial", per_trial), ("grouped", grouped)):
            started = time.perf_counter()
            scores[name] = run()
            seconds[name].append(round(time.perf_counter() - started, 2))
    if scores["per_trial"] != scores["grouped"]:
        raise SystemExit(f"scores differ: {scores}")
    medians = {name: statistics.median(runs) for name, runs in seconds.items()}
    return {
        "trials": len(points),
        "seconds": seconds,
        "median_seconds": medians,
        "speedup": round(medians["per_trial"] / medians["grouped"], 2),
        "validation_ndcg@10": {str(k): round(v, 5) for k, v in scores["grouped"].items()},
    }


def _scoring(fold: EvalSplit, neighbours: int, shrink: float, repeats: int) -> dict[str, object]:
    model = ItemKNN(neighbours=neighbours, shrink=shrink, weighting="log")
    model.fit(fold.train)
    ways = {
        "batch": lambda: model.recommend(fold.users, 10),
        # The base class's loop without the float64 copy: every block gathered.
        "gathered": lambda: ScoringModel.recommend(model, fold.users, 10),
    }
    seconds: dict[str, list[float]] = {name: [] for name in ways}
    found = {}
    for _ in range(repeats):
        for name, run in ways.items():
            started = time.perf_counter()
            found[name] = run()
            seconds[name].append(round(time.perf_counter() - started, 2))
    if not (found["batch"] == found["gathered"]).all():
        raise SystemExit(f"recommendations differ at {neighbours} neighbours")
    medians = {name: statistics.median(runs) for name, runs in seconds.items()}
    return {
        "users": int(fold.users.size),
        "seconds": seconds,
        "median_seconds": medians,
        "speedup": round(medians["gathered"] / medians["batch"], 2),
    }


def _echotune_trials(fold: EvalSplit) -> dict[str, object]:
    seconds: list[float] = []
    last = [time.perf_counter()]

    def on_trial(done: int, planned: int) -> None:
        now = time.perf_counter()
        if done > len(seconds):  # the closing call repeats the count
            seconds.append(round(now - last[0], 2))
        last[0] = now

    grid: dict[str, tuple[Param, ...]] = {
        "prior_weight": (0.0, 0.02, 0.1),
        "ease_weight": (0.25, 0.5),
    }
    result = tune("echotune", [fold], grid=grid, fixed={"als_factors": 128}, on_trial=on_trial)
    return {
        "trial_seconds": seconds,
        "first_trial_seconds": seconds[0],
        "reused_trial_median_seconds": statistics.median(seconds[1:]),
        "validation_ndcg@10": result.validation_ndcg,
    }


if __name__ == "__main__":
    main()
