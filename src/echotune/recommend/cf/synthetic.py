"""Made-up listening histories with the shape of real ones, for evaluation and benchmarks.

Item popularity is Zipf-distributed (a few hits, a long tail); user activity
is log-normal (most users play a little, a few play a lot); every item
belongs to one taste cluster and every user likes one to three clusters, so
there is structure a collaborative model can find. A share of plays ignores
taste and follows the global charts, as real listening does. Everything is
drawn as whole arrays, so ten million plays take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from echotune.recommend.cf.interactions import Interactions

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class SyntheticSpec:
    users: int = 2_000
    plays: int = 100_000
    items: int = 5_000
    clusters: int = 20
    zipf: float = 1.0
    activity_sigma: float = 1.0
    # Share of plays drawn from the user's own taste clusters (the rest: global charts).
    taste: float = 0.8
    seed: int = 0


def synthetic_plays(spec: SyntheticSpec) -> tuple[I64, I64]:
    """(user index, item index) of every play; pairs repeat (replays)."""
    rng = np.random.default_rng(spec.seed)
    rank_weight = 1.0 / np.arange(1, spec.items + 1, dtype=np.float64) ** spec.zipf
    popularity = rank_weight[rng.permutation(spec.items)]
    cluster_of_item = rng.integers(0, spec.clusters, size=spec.items)
    # Items laid out cluster by cluster, so one cumulative sum samples any cluster or all.
    order = np.argsort(cluster_of_item, kind="stable")
    cumulative = np.cumsum(popularity[order])
    bounds = np.searchsorted(cluster_of_item[order], np.arange(spec.clusters + 1))
    mass_lo = np.concatenate(([0.0], cumulative))[bounds[:-1]]
    mass_hi = np.concatenate(([0.0], cumulative))[bounds[1:]]

    users = _play_owners(rng, spec)
    tastes = rng.integers(0, spec.clusters, size=(spec.users, 3))
    n_tastes = rng.integers(1, 4, size=spec.users)
    slot = (rng.random(users.size) * n_tastes[users]).astype(np.int64)
    cluster = tastes[users, slot]
    u = rng.random(users.size)
    target = mass_lo[cluster] + u * (mass_hi[cluster] - mass_lo[cluster])
    charts = rng.random(users.size) >= spec.taste
    target[charts] = u[charts] * cumulative[-1]
    position = np.minimum(np.searchsorted(cumulative, target, side="right"), spec.items - 1)
    return users, order[position].astype(np.int64)


def _play_owners(rng: np.random.Generator, spec: SyntheticSpec) -> I64:
    activity = rng.lognormal(0.0, spec.activity_sigma, size=spec.users)
    extra = rng.multinomial(max(spec.plays - spec.users, 0), activity / activity.sum())
    return np.repeat(np.arange(spec.users, dtype=np.int64), 1 + extra)[: spec.plays]


def synthetic_interactions(spec: SyntheticSpec) -> Interactions:
    """The plays summed per (user, item): weight = play count."""
    users, items = synthetic_plays(spec)
    return Interactions.from_indices(
        [f"u{i}" for i in range(spec.users)],
        [f"i{i}" for i in range(spec.items)],
        users,
        items,
        np.ones(users.size, dtype=np.float32),
    )
