"""Peak memory and time of `echotune eval`'s hold-out split: by blocks against whole arrays.

`holdout_split` gives each entry a random key and sends a user's lowest
keys to test. It used to rank all entries at once (int64 and float64
arrays the length of the matrix, several alive together, then scipy's COO
round trips and a sort-based `np.isin` to drop test pairs already in
train) and peaked at about 9 times the matrix. It now ranks a block of
users at a time, cuts train and test straight out of the CSR arrays,
renumbers columns instead of fancy indexing, and looks pairs up in train
by binary search.

This builds synthetic listening (or reads `--file`), stores it once, then
splits it in fresh child processes, alternating the two ways. Each child
loads the matrix, resets the kernel's peak-RSS mark (Linux's
`/proc/self/clear_refs`), splits, and reports the peak above what it held
before, and the time. The two ways must give the same split, entry for
entry (the run fails otherwise). Reported: medians of `--repeats` and
whole / blocks.

    python bench/split_memory.py --users 250000 --plays 13000000
    python bench/split_memory.py --file plays.tsv.gz --repeats 1
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from echotune.recommend.cf.files import iter_interactions
from echotune.recommend.cf.interactions import Interactions
from echotune.recommend.cf.synthetic import SyntheticSpec, synthetic_interactions
from echotune.recommend.evaluation.split import EvalSplit, holdout_split


def whole_split(data: Interactions, test_fraction: float, seed: int) -> EvalSplit:
    """`holdout_split` as it was: every entry ranked at once, then `align` as it was."""
    matrix = data.matrix
    lengths = np.diff(matrix.indptr)
    n_test = np.clip(np.rint(lengths * test_fraction), 1, np.maximum(lengths - 1, 1))
    n_test[lengths < 5] = 0
    rows = np.repeat(np.arange(data.n_users), lengths)
    keys = np.random.default_rng(seed).random(matrix.nnz)
    order = np.lexsort((keys, rows))
    rank = np.empty(matrix.nnz, dtype=np.int64)
    rank[order] = np.arange(matrix.nnz) - matrix.indptr[rows[order]]
    is_test = rank < n_test[rows]
    train = Interactions(data.user_ids, data.item_ids, _coo_select(matrix, ~is_test))
    test = _coo_select(matrix, is_test)
    train = _fancy_compact(train)
    user_map = np.array([_index(train.user_index(u)) for u in data.user_ids], dtype=np.int64)
    item_map = np.array([_index(train.item_index(t)) for t in data.item_ids], dtype=np.int64)
    coo = test.tocoo()
    coo_users, coo_items = user_map[coo.row], item_map[coo.col]
    known_user, known_item = coo_users >= 0, coo_items >= 0
    seen = known_user & known_item
    train_rows = np.repeat(np.arange(train.n_users, dtype=np.int64), np.diff(train.matrix.indptr))
    seen[seen] = np.isin(
        coo_users[seen] * train.n_items + coo_items[seen],
        train_rows * train.n_items + train.matrix.indices,
    )
    keep = known_user & ~seen
    test_sizes = np.bincount(coo_users[keep], minlength=train.n_users).astype(np.int64)
    hit = keep & known_item
    test_matrix = sp.csr_matrix(
        (np.ones(int(hit.sum()), dtype=np.float32), (coo_users[hit], coo_items[hit])),
        shape=(train.n_users, train.n_items),
    )
    test_matrix.sort_indices()
    return EvalSplit(train, test_matrix, test_sizes, {})


def _coo_select(matrix: sp.csr_matrix, mask: npt.NDArray[np.bool_]) -> sp.csr_matrix:
    coo = matrix.tocoo()
    out = sp.csr_matrix(
        (coo.data[mask], (coo.row[mask], coo.col[mask])), shape=matrix.shape, dtype=np.float32
    )
    out.sort_indices()
    return out


def _fancy_compact(data: Interactions) -> Interactions:
    users = np.flatnonzero(np.diff(data.matrix.indptr) > 0)
    items = np.flatnonzero(np.bincount(data.matrix.indices, minlength=data.n_items) > 0)
    if users.size == data.n_users and items.size == data.n_items:
        return data
    matrix = data.matrix[users][:, items].tocsr()
    return Interactions(
        tuple(data.user_ids[u] for u in users), tuple(data.item_ids[i] for i in items), matrix
    )


def _index(value: int | None) -> int:
    return -1 if value is None else value


def _status_mb(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"{key} is not in /proc/self/status")


def digest(split: EvalSplit) -> str:
    out = hashlib.sha256()
    for matrix in (split.train.matrix, split.test):
        m = matrix.copy()
        m.sort_indices()
        for part in (m.indptr.astype(np.int64), m.indices.astype(np.int64), m.data):
            out.update(np.ascontiguousarray(part).tobytes())
    out.update(split.test_sizes.tobytes())
    out.update("\n".join(split.train.user_ids + split.train.item_ids).encode())
    return out.hexdigest()


def child(stored: Path, way: str, seed: int) -> None:
    """Split the stored matrix one way; print the peak above the start, seconds, digest."""
    with stored.open("rb") as handle:
        user_ids, item_ids, indptr, indices, values, shape = pickle.load(handle)
    data = Interactions(user_ids, item_ids, sp.csr_matrix((values, indices, indptr), shape=shape))
    del indptr, indices, values
    Path("/proc/self/clear_refs").write_text("5")  # the peak mark starts again from here
    before = _status_mb("VmRSS")
    start = time.perf_counter()
    split = holdout_split(data, 0.2, seed) if way == "blocks" else whole_split(data, 0.2, seed)
    seconds = time.perf_counter() - start
    peak = _status_mb("VmHWM")
    print(
        json.dumps(
            {
                "seconds": seconds,
                "before_mb": before,
                "peak_above_mb": peak - before,
                "digest": digest(split),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=250_000)
    parser.add_argument("--plays", type=int, default=13_000_000, help="plays drawn (pairs repeat)")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--file", type=Path, default=None, help="read this file instead")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--child", nargs=2, metavar=("STORED", "WAY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), args.child[1], args.seed)
        return
    if args.file is not None:
        data = Interactions.from_triples(iter_interactions(args.file))
    else:
        spec = SyntheticSpec(users=args.users, plays=args.plays, items=args.items, seed=args.seed)
        data = synthetic_interactions(spec)
    with tempfile.TemporaryDirectory() as tmp:
        stored = Path(tmp) / "matrix.pickle"
        m = data.matrix
        with stored.open("wb") as handle:
            pickle.dump(
                (data.user_ids, data.item_ids, m.indptr, m.indices, m.data, m.shape), handle
            )
        shape, nnz = m.shape, m.nnz
        del data, m
        runs: dict[str, list[dict[str, float | str]]] = {"blocks": [], "whole": []}
        for _ in range(args.repeats):  # alternate, so load on the machine hits both alike
            for way, results in runs.items():
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        str(stored),
                        way,
                        "--seed",
                        str(args.seed),
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                results.append(json.loads(out.stdout))
    if len({str(r["digest"]) for rs in runs.values() for r in rs}) != 1:
        raise SystemExit("the two ways gave different splits")
    peak = {w: statistics.median(float(r["peak_above_mb"]) for r in rs) for w, rs in runs.items()}
    secs = {w: statistics.median(float(r["seconds"]) for r in rs) for w, rs in runs.items()}
    print(
        json.dumps(
            {
                "file": str(args.file) if args.file else None,
                "users": shape[0],
                "items": shape[1],
                "entries": nnz,
                "held_before_mb": round(
                    statistics.median(float(r["before_mb"]) for r in runs["blocks"])
                ),
                "peak_above_mb": {w: round(v) for w, v in peak.items()},
                "peak_whole_over_blocks": round(peak["whole"] / peak["blocks"], 2),
                "seconds": {w: round(v, 1) for w, v in secs.items()},
                "seconds_runs": {
                    w: [round(float(r["seconds"]), 1) for r in rs] for w, rs in runs.items()
                },
                "seconds_whole_over_blocks": round(secs["whole"] / secs["blocks"], 2),
                "same_split": True,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
