"""Model names, their constructors and default hyper-parameters.

This is the one place that maps a name (as typed in `echotune eval --models`)
to a class. Parameters are plain ints, floats and strings so they can be
tuned, printed and stored as JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from echotune.errors import InvalidInput
from echotune.recommend.cf.als import ImplicitALS
from echotune.recommend.cf.base import Recommender
from echotune.recommend.cf.ease import EASE
from echotune.recommend.cf.echotune_model import EchoTuneModel
from echotune.recommend.cf.itemknn import ItemKNN
from echotune.recommend.cf.popularity import Popularity

Param = int | float | str
Params = Mapping[str, Param]

_FACTORIES: dict[str, Callable[..., Recommender]] = {
    "popularity": Popularity,
    "itemknn": ItemKNN,
    "implicit-als": ImplicitALS,
    "ease": EASE,
    "echotune": EchoTuneModel,
}
MODEL_NAMES: tuple[str, ...] = tuple(_FACTORIES)
# Models that draw random numbers (ALS initial factors; `echotune`'s ALS term).
SEEDED = frozenset({"implicit-als", "echotune"})


def make_model(name: str, params: Params | None = None, seed: int | None = None) -> Recommender:
    """A new, unfitted model; `seed` is passed on to models that draw random numbers."""
    factory = _FACTORIES.get(name)
    if factory is None:
        raise InvalidInput(f"unknown model {name!r}; known: {', '.join(MODEL_NAMES)}")
    kwargs: dict[str, Any] = dict(params or {})
    if seed is not None and name in SEEDED:
        kwargs.setdefault("seed", seed)
    try:
        return factory(**kwargs)
    except TypeError as exc:
        raise InvalidInput(f"bad parameters for {name}: {exc}") from None


def parse_models(text: str | None) -> tuple[str, ...]:
    """`a,b` -> ("a", "b"), validated; None or empty -> every model."""
    if not text:
        return MODEL_NAMES
    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in _FACTORIES]
    if unknown or not names:
        raise InvalidInput(f"unknown model(s) {unknown}; known: {', '.join(MODEL_NAMES)}")
    return names
