"""Peak memory and speed of reading an interactions file: typed arrays against lists. Prints JSON.

`Interactions.from_triples` gathers each row's user index, item index and
weight while `echotune eval` streams a file. It used to gather them in
Python lists (a pointer plus a number object, ~36 bytes a value); it now
uses typed arrays (4 bytes a value). This writes a synthetic
`user<TAB>item<TAB>plays` file (or takes `--file`), then reads it in fresh
child processes, alternating the two ways, each reporting its peak RSS
(`ru_maxrss`) and time. The two must build the same matrix (the run fails
otherwise). Reported: medians of `--repeats` and lists / arrays.

    python bench/read_memory.py --rows 5000000
    python bench/read_memory.py --file plays.tsv.gz --repeats 1
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from echotune.recommend.cf.files import iter_interactions
from echotune.recommend.cf.interactions import Interactions
from echotune.recommend.cf.synthetic import SyntheticSpec, synthetic_plays


def with_lists(triples: Iterable[tuple[str, str, float]]) -> Interactions:
    """`Interactions.from_triples` as it was: Python lists, then arrays."""
    users: dict[str, int] = {}
    items: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    weights: list[float] = []
    for user, item, weight in triples:
        rows.append(users.setdefault(user, len(users)))
        cols.append(items.setdefault(item, len(items)))
        weights.append(weight)
    return Interactions.from_indices(
        tuple(users), tuple(items), np.asarray(rows), np.asarray(cols), np.asarray(weights)
    )


def child(path: Path, way: str) -> None:
    """Read `path` one way; print seconds, peak RSS and a digest of the matrix."""
    start = time.perf_counter()
    triples = iter_interactions(path)
    data = Interactions.from_triples(triples) if way == "arrays" else with_lists(triples)
    seconds = time.perf_counter() - start
    m = data.matrix
    digest = hashlib.sha256()
    for part in (m.indptr, m.indices, m.data):
        digest.update(np.ascontiguousarray(part).tobytes())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "digest": digest.hexdigest()}))


def write(path: Path, rows: int, seed: int) -> int:
    users = max(1, rows // 40)
    spec = SyntheticSpec(users=users, plays=int(rows * 1.3), items=max(10, rows // 100), seed=seed)
    u, i = synthetic_plays(spec)
    key, counts = np.unique(u * spec.items + i, return_counts=True)
    with gzip.open(path, "wt", compresslevel=1) as out:
        for s in range(0, key.size, 1_000_000):
            part = zip(
                (key[s : s + 1_000_000] // spec.items).tolist(),
                (key[s : s + 1_000_000] % spec.items).tolist(),
                counts[s : s + 1_000_000].tolist(),
                strict=True,
            )
            out.write("".join(f"{a:040x}\tS{b:017d}\t{c}\n" for a, b, c in part))
    return int(key.size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000, help="rows to write (about)")
    parser.add_argument("--file", type=Path, default=None, help="read this file instead")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", nargs=2, metavar=("FILE", "WAY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), args.child[1])
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file
        written = None
        if path is None:
            path = Path(tmp) / "plays.tsv.gz"
            written = write(path, args.rows, args.seed)
        runs: dict[str, list[dict[str, float | str]]] = {"arrays": [], "lists": []}
        for _ in range(args.repeats):  # alternate, so load on the machine hits both alike
            for way, results in runs.items():
                out = subprocess.run(
                    [sys.executable, __file__, "--child", str(path), way],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                results.append(json.loads(out.stdout))
        digests = {str(r["digest"]) for rs in runs.values() for r in rs}
        if len(digests) != 1:
            raise SystemExit("the two ways built different matrices")
        peak = {w: statistics.median(float(r["peak_mb"]) for r in rs) for w, rs in runs.items()}
        secs = {w: statistics.median(float(r["seconds"]) for r in rs) for w, rs in runs.items()}
        print(
            json.dumps(
                {
                    "file": str(args.file) if args.file else None,
                    "rows": written,
                    "peak_mb": {w: round(v) for w, v in peak.items()},
                    "peak_lists_over_arrays": round(peak["lists"] / peak["arrays"], 2),
                    "seconds": {w: round(v, 1) for w, v in secs.items()},
                    "seconds_runs": {
                        w: [round(float(r["seconds"]), 1) for r in rs] for w, rs in runs.items()
                    },
                    "seconds_lists_over_arrays": round(secs["lists"] / secs["arrays"], 2),
                    "same_matrix": True,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
