"""The search space of `echotune eval`'s tuning: each model's grid and how it is searched.

`GRIDS` holds the values each model's search tries; the other tables say how
a grid is walked (`tuning.tune` does the walking): `STAGED` grids by cost,
`NESTED` grids a group of cut-down builds at a time, `BORROWED` parameters
taken from another model's tuned ones, `INERT` parameters a model ignores at
some values of the others, and `SEEDED` extra starts from the tuned
baselines a blend contains. `grid_for` drops what cannot matter on the
folds at hand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from echotune.recommend.cf.ease import DEFAULT_MAX_ITEMS
from echotune.recommend.cf.echotune_model import tail_items
from echotune.recommend.cf.registry import Param, make_model
from echotune.recommend.evaluation.split import EvalSplit

Grid = Mapping[str, Sequence[Param]]

# Each grid brackets the values its model's authors and benchmarks use, wide
# enough that the chosen value is rarely at an edge on our datasets.
GRIDS: dict[str, Grid] = {
    "popularity": {},
    "itemknn": {
        "neighbours": (20, 50, 100, 200, 500, 1000),
        "shrink": (0.0, 10.0, 50.0, 200.0),
        "weighting": ("binary", "log"),
    },
    # implicit's ALS falls off a cliff just past its best regularization (on
    # MovieLens 100K, 15 -> 0.443 NDCG@10 but 20 -> 0.408), so the steps are
    # about 3x, and alpha 1 and 5 put the confidence-to-regularization ratio
    # on an even finer ladder. Factors reach 512: on the playlists 512 beat 256.
    "implicit-als": {
        "factors": (32, 128, 512),
        "regularization": (0.1, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0),
        "alpha": (1.0, 5.0),
        "weighting": ("bm25", "confidence"),
    },
    "ease": {
        "lam": (1.0, 5.0, 10.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 3000.0),
        "weighting": ("binary", "log"),
    },
    # a = 0 with cosine similarity is plain kNN and a = 1 with no ALS term plain
    # (pruned) EASE, so both baselines are inside the search; λ as for EASE.
    # The ALS term's own parameters are not here: they are borrowed from the
    # tuned `implicit-als` (see BORROWED). Coordinate ascent sweeps in this
    # order, from the middle values, the model's defaults and the tuned
    # `itemknn` and `ease` (see SEEDED), and keeps the first of equal
    # scores: the ALS weight goes first, judged
    # with ALS at its best; λ before a, while λ still matters (at a = 0 every
    # λ scores the same).
    "echotune": {
        "als_weight": (0.0, 0.3, 0.6, 1.0, 1.5, 3.0),
        "lam": (1.0, 5.0, 10.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 3000.0),
        "ease_dropout": (0.0, 0.33, 1.0, 3.0),
        "ease_weight": (0.0, 0.25, 0.5, 0.75, 1.0),
        "similarity": ("cosine", "rp3"),
        "neighbours": (50, 200, 500),
        "shrink": (0.0, 10.0, 100.0),
        "rp3_alpha": (0.5, 0.75, 1.0),
        "rp3_beta": (0.0, 0.2, 0.35, 0.5, 0.65),
        "weighting": ("binary", "log"),
        "prior_weight": (0.0, 0.02, 0.1),
        # Items outside EASE's head (past `max_items`): searched only where
        # there are any (`grid_for`). 1 stands in the middle place, which the
        # first start takes (`_starts`), so a run whose budget ends before t
        # is swept keeps the blend as it was without t.
        "tail_weight": (1.5, 2.0, 1.0, 3.0),
    },
}


def grid_for(name: str, folds: Sequence[EvalSplit]) -> Grid:
    """`GRIDS[name]` without what cannot matter on `folds`: `echotune`'s `tail_weight`
    when EASE covers every played item of every fold (dual form, or at most
    `max_items` played), as on all our committed datasets."""
    grid = GRIDS.get(name, {})
    if name == "echotune" and not any(
        tail_items(fold.train.matrix, DEFAULT_MAX_ITEMS).size for fold in folds
    ):
        grid = {k: v for k, v in grid.items() if k != "tail_weight"}
    return grid


# Grids whose first parameter is a cost (ALS factors: a 512-factor fit costs
# ~12x a 32-factor one at 160,000 items), searched in stages: whole at the
# cheapest value; at each larger one, the `keep` best settings of the other
# coarse parameters at the size below (ALS alpha and input weighting), each
# with every value of the `fine` parameter (regularization), whose best
# value moves with the cost: on the sessions from 0.1 at 32 factors to 10
# at 128, so a search only near the smaller size's best missed it.
# (cost parameter, fine parameter, keep).
STAGED: dict[str, tuple[str, str, int]] = {"implicit-als": ("factors", "regularization", 2)}


# Full grids with a parameter whose smaller values are cut from a larger
# value's build (`memo.reuse_nested`: an item's 20 best neighbours are the
# first 20 of its 1,000 best). Such a grid is scored a group at a time (the
# trials that differ only in that parameter, largest first), one fold at a
# time, so each fold builds the part once per group and holds only that
# one: 8 neighbour builds per fold for the itemknn grid instead of 48, and
# one 1,000-neighbour matrix in memory (1.3 GB at 164,000 items) rather
# than one per fold. The choice is the same as scoring trial by trial.
NESTED: dict[str, str] = {"itemknn": "neighbours"}


# A staged search: `echotune`'s ALS term is the `implicit-als` model, so it
# takes that model's tuned parameters (renamed) rather than searching them
# again inside the blend, where a coordinate sweep reaches far fewer of them.
# The chosen values are still picked on validation folds only.
BORROWED: dict[str, tuple[str, dict[str, str]]] = {
    "echotune": (
        "implicit-als",
        {
            "factors": "als_factors",
            "regularization": "als_regularization",
            "alpha": "als_alpha",
            "weighting": "als_weighting",
        },
    ),
}


def _echotune_inert(params: Mapping[str, Param]) -> frozenset[str]:
    """The parameters `echotune` ignores at these values of the others (see INERT)."""
    inert: set[str] = set()
    a = params.get("ease_weight")
    if a == 0:  # no EASE part is built
        inert |= {"lam", "ease_dropout", "max_items", "ease_neighbours"}
    if a == 1:  # no neighbour part is built
        inert |= {"similarity", "neighbours", "shrink", "rp3_alpha", "rp3_beta"}
    elif params.get("similarity") == "cosine":
        inert |= {"rp3_alpha", "rp3_beta"}
    elif params.get("similarity") == "rp3":
        inert |= {"shrink"}
    if a in (0, 1):  # one part only: no blend for the tail to catch up in
        inert |= {"tail_weight"}
    if params.get("als_weight") == 0:  # no ALS term
        inert |= {"als_factors", "als_regularization", "als_alpha", "als_weighting", "candidates"}
    return frozenset(inert)


# Parameters a model ignores at some values of the others: `echotune` builds
# no EASE part at a = 0 and no neighbour part at a = 1, cosine neighbours take
# no RP3 α and β and RP3 no shrink, and w = 0 fits no ALS term. Trials that
# differ only in those are the same model, so they share one cache entry and
# run once (a test checks the model really gives the same lists). A sweep of
# λ at a = 0 used to fit and score nine identical models on every fold.
INERT: dict[str, Callable[[Mapping[str, Param]], frozenset[str]]] = {
    "echotune": _echotune_inert,
}


# More starts for coordinate ascent: the tuned baselines that the blend
# contains, as blend settings (source model, fixed values, source parameter ->
# blend parameter). Starting from them, the search ends at least as high on
# validation as each of them scores as a blend (the same model up to
# `echotune`'s caps), and it reaches the blends near them: from the middle
# values alone, five folds on the playlists ended at plain kNN (test NDCG@10
# 0.0470) because λ was swept while a = 0, where it does not matter.
SEEDED: dict[str, tuple[tuple[str, dict[str, Param], dict[str, str]], ...]] = {
    "echotune": (
        (
            "itemknn",
            {"als_weight": 0.0, "ease_weight": 0.0, "similarity": "cosine", "prior_weight": 0.0},
            {"neighbours": "neighbours", "shrink": "shrink", "weighting": "weighting"},
        ),
        (
            "ease",
            {"als_weight": 0.0, "ease_weight": 1.0, "ease_dropout": 0.0, "prior_weight": 0.0},
            {"lam": "lam", "weighting": "weighting"},
        ),
    ),
}


def _taken(source: str, tuned: Mapping[str, Param], renames: Mapping[str, str]) -> dict[str, Param]:
    """`source`'s tuned values (its defaults where it did not search them), renamed."""
    model = make_model(source)
    return {new: tuned.get(old, getattr(model, old)) for old, new in renames.items()}


def seeded_starts(name: str, tuned: Mapping[str, Mapping[str, Param]]) -> list[dict[str, Param]]:
    """Extra coordinate-ascent starts for `name` from the tuned models in SEEDED."""
    return [
        {**fixed, **_taken(source, tuned[source], renames)}
        for source, fixed, renames in SEEDED.get(name, ())
        if source in tuned
    ]


def sources(name: str) -> list[str]:
    """The models whose tuned parameters `name`'s search uses (BORROWED, then SEEDED)."""
    borrowed = BORROWED.get(name, ("", {}))[0]
    return [*([borrowed] if borrowed else []), *(s for s, _, _ in SEEDED.get(name, ()))]


def borrowed_params(name: str, tuned: Mapping[str, Mapping[str, Param]]) -> dict[str, Param]:
    """`name`'s parameters taken from another model's tuned ones (empty if none apply).

    Parameters the source did not search are its defaults, so the borrowed
    part is exactly the model that was tuned.
    """
    source, renames = BORROWED.get(name, ("", {}))
    if source not in tuned:
        return {}
    return _taken(source, tuned[source], renames)
