"""The committed evaluation files are what `bench/eval_datasets.py` writes, and read cleanly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from echotune.recommend.cf.files import read_interactions

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parents[3]


def test_bench_script_reproduces_the_committed_files(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "eval_datasets.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    rows = json.loads(done.stdout)["rows"]
    assert rows == {"playlists": 32_251, "synthetic": 62_506}
    for name in ("playlists.tsv.gz", "synthetic.tsv.gz"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes()


def test_the_files_have_the_documented_shape() -> None:
    playlists = read_interactions(DATA / "playlists.tsv.gz")
    assert (playlists.n_users, playlists.n_items, playlists.nnz) == (471, 28_356, 32_251)
    assert set(np.unique(playlists.matrix.data).tolist()) == {1.0}
    sessions = read_interactions(DATA / "history_sessions.tsv")
    assert (sessions.n_users, sessions.n_items, sessions.nnz) == (615, 843, 4_822)
    assert sessions.matrix.data.min() >= 1.0 and sessions.matrix.data.max() > 1.0
