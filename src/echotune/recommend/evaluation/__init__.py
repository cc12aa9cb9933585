"""Offline evaluation of the collaborative models (`echotune eval`).

What plugs in here: a split (`split.py`: a seeded per-user hold-out, or a
given train/test pair aligned to train's indices), the metrics with their
textbook definitions (`metrics.py`), the per-model hyper-parameter search on a
validation split carved from train (`tuning.py`, over the grids of
`grids.py`), and `evaluate` (`runner.py`)
which tunes, fits and measures every chosen model on one split. The served
hybrid ranker is evaluated as a whole by `hybrid.py` (the catalog's
playlists as listeners, `playlists.py`), which `bench/tune_hybrid.py` uses
to choose its weights. Definitions and reference figures: docs/evaluation.md.
"""

from echotune.recommend.evaluation.grids import GRIDS
from echotune.recommend.evaluation.runner import EvalConfig, EvalReport, ModelReport, evaluate
from echotune.recommend.evaluation.split import EvalSplit, align, holdout_split
from echotune.recommend.evaluation.tuning import TuningResult, tune

__all__ = [
    "GRIDS",
    "EvalConfig",
    "EvalReport",
    "EvalSplit",
    "ModelReport",
    "TuningResult",
    "align",
    "evaluate",
    "holdout_split",
    "tune",
]
