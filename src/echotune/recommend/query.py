"""What GET /v1/recommendations asks for, validated the way Spotify validated it.

`RecommendationQuery` checks everything that needs no catalog (seed counts,
limit, attribute names and ranges); seed ids and genres are checked against
the index by the engine. Every error names the offending query parameter, so
the 400 tells the caller what to fix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from echotune.catalog.models import TUNABLE_ATTRIBUTES
from echotune.errors import InvalidInput

MAX_SEEDS = 5
MIN_LIMIT, MAX_LIMIT, DEFAULT_LIMIT = 1, 100, 20
SEED_PARAMS = ("seed_artists", "seed_genres", "seed_tracks")
BOUND_PREFIXES = ("min", "max", "target")

_UNIT = (0.0, 1.0)
# Allowed values per attribute (None: unbounded), from Spotify's API reference.
ATTRIBUTE_RANGES: dict[str, tuple[float | None, float | None]] = {
    "acousticness": _UNIT,
    "danceability": _UNIT,
    "duration_ms": (0.0, None),
    "energy": _UNIT,
    "instrumentalness": _UNIT,
    "key": (0.0, 11.0),
    "liveness": _UNIT,
    "loudness": (None, None),
    "mode": (0.0, 1.0),
    "popularity": (0.0, 100.0),
    "speechiness": _UNIT,
    "tempo": (0.0, None),
    "time_signature": (0.0, 11.0),
    "valence": _UNIT,
}
INTEGER_ATTRIBUTES = frozenset({"duration_ms", "key", "mode", "popularity", "time_signature"})


def _check_value(param: str, attribute: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput(f"{param} must be a finite number, got {value!r}")
    if attribute in INTEGER_ATTRIBUTES and not float(value).is_integer():
        raise InvalidInput(f"{param} must be an integer, got {value!r}")
    low, high = ATTRIBUTE_RANGES[attribute]
    if (low is not None and value < low) or (high is not None and value > high):
        shown = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise InvalidInput(f"{param} must be {shown}, got {value!r}")
    return float(value)


def _checked_bounds(prefix: str, values: Mapping[str, float]) -> Mapping[str, float]:
    checked: dict[str, float] = {}
    for attribute, value in values.items():
        param = f"{prefix}_{attribute}"
        if attribute not in ATTRIBUTE_RANGES:
            known = ", ".join(TUNABLE_ATTRIBUTES)
            raise InvalidInput(f"unknown tunable attribute in {param}; expected one of {known}")
        checked[attribute] = _check_value(param, attribute, value)
    return MappingProxyType(checked)


def _checked_seeds(param: str, seeds: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    unique: dict[str, None] = {}
    for seed in seeds:
        if not isinstance(seed, str) or not seed.strip():
            raise InvalidInput(f"{param} holds an empty or non-text seed: {seed!r}")
        unique[seed.strip()] = None
    # A repeated seed would count twice toward the limit of five and report twice.
    return tuple(unique)


@dataclass(frozen=True, slots=True)
class RecommendationQuery:
    """Seeds, how many tracks, and min/max/target per tunable attribute."""

    seed_tracks: tuple[str, ...] = ()
    seed_artists: tuple[str, ...] = ()
    seed_genres: tuple[str, ...] = ()
    limit: int = DEFAULT_LIMIT
    min_values: Mapping[str, float] = field(default_factory=dict)
    max_values: Mapping[str, float] = field(default_factory=dict)
    target_values: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for param in SEED_PARAMS:
            object.__setattr__(self, param, _checked_seeds(param, getattr(self, param)))
        total = self.seed_count
        if total == 0:
            raise InvalidInput("at least one of seed_artists, seed_genres, seed_tracks is required")
        if total > MAX_SEEDS:
            raise InvalidInput(
                f"at most {MAX_SEEDS} seeds in total across seed_artists, seed_genres and "
                f"seed_tracks, got {total}"
            )
        if isinstance(self.limit, bool) or not isinstance(self.limit, int):
            raise InvalidInput(f"limit must be an integer, got {self.limit!r}")
        if not MIN_LIMIT <= self.limit <= MAX_LIMIT:
            raise InvalidInput(
                f"limit must be between {MIN_LIMIT} and {MAX_LIMIT}, got {self.limit}"
            )
        for prefix in BOUND_PREFIXES:
            name = f"{prefix}_values"
            object.__setattr__(self, name, _checked_bounds(prefix, getattr(self, name)))
        for attribute, low in self.min_values.items():
            high = self.max_values.get(attribute)
            if high is not None and low > high:
                raise InvalidInput(
                    f"min_{attribute} ({low:g}) is greater than max_{attribute} ({high:g})"
                )

    @property
    def seed_count(self) -> int:
        return len(self.seed_tracks) + len(self.seed_artists) + len(self.seed_genres)


def _number(param: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(f"{param} must be a number, got {text!r}") from None


def parse_query(params: Mapping[str, str]) -> RecommendationQuery:
    """Spotify's query string (comma-separated seeds, min_/max_/target_ values).

    `market` and parameters Spotify does not define are ignored, as Spotify did.
    """
    seeds = {p: tuple(s for s in params.get(p, "").split(",") if s.strip()) for p in SEED_PARAMS}
    limit_text = params.get("limit", str(DEFAULT_LIMIT)).strip()
    if not limit_text.lstrip("-").isdigit():
        raise InvalidInput(f"limit must be an integer, got {limit_text!r}")
    bounds: dict[str, dict[str, float]] = {prefix: {} for prefix in BOUND_PREFIXES}
    for param, text in params.items():
        prefix, _, attribute = param.partition("_")
        if prefix in bounds and attribute:
            if attribute not in ATTRIBUTE_RANGES:
                known = ", ".join(TUNABLE_ATTRIBUTES)
                raise InvalidInput(f"unknown tunable attribute in {param}; expected one of {known}")
            bounds[prefix][attribute] = _number(param, text)
    return RecommendationQuery(
        seed_tracks=seeds["seed_tracks"],
        seed_artists=seeds["seed_artists"],
        seed_genres=seeds["seed_genres"],
        limit=int(limit_text),
        min_values=bounds["min"],
        max_values=bounds["max"],
        target_values=bounds["target"],
    )
