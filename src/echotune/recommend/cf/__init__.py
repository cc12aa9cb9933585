"""Collaborative filtering: implicit-feedback models learned from listening history.

What plugs in here: a model class satisfying `Recommender` (`base.py`: fit on
an `Interactions`, `recommend` top-k item indices, `score` one user), named
in `registry.py` so `echotune eval` and the services can build it by name.
Models that can say "because you played X" also satisfy `Explainer`.
Models: `popularity`, `itemknn`, `implicit-als`, `ease`, and `echotune` (the
production blend). Data comes in through `Interactions` (`interactions.py`)
and interaction files (`files.py`); `synthetic.py` makes power-law listening
for benchmarks.
"""

from echotune.recommend.cf.base import Explainer, NotFitted, Recommender
from echotune.recommend.cf.echotune_model import EchoTuneModel
from echotune.recommend.cf.files import iter_interactions, read_interactions, write_interactions
from echotune.recommend.cf.interactions import Interactions
from echotune.recommend.cf.registry import MODEL_NAMES, make_model, parse_models

__all__ = [
    "MODEL_NAMES",
    "EchoTuneModel",
    "Explainer",
    "Interactions",
    "NotFitted",
    "Recommender",
    "iter_interactions",
    "make_model",
    "parse_models",
    "read_interactions",
    "write_interactions",
]
