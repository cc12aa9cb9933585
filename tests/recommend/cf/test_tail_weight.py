"""`echotune`'s `tail_weight`: items EASE's head leaves out, weighed up in the blend."""

from __future__ import annotations

import numpy as np
import pytest

from echotune.recommend.cf.ease_solver import dual_applies
from echotune.recommend.cf.echotune_model import EchoTuneModel, tail_items
from echotune.recommend.cf.interactions import Interactions
from echotune.recommend.cf.synthetic import SyntheticSpec, synthetic_interactions

HEAD = 30
# No ALS term, and no row cut below the catalog: the weights are the blend itself.
BLEND = {"ease_weight": 0.5, "max_items": HEAD, "als_weight": 0.0, "max_fanout": 10_000}


def _weights(data: Interactions, **params: float) -> np.ndarray:
    model = EchoTuneModel(**{**BLEND, **params})  # type: ignore[arg-type]
    model.fit(data)
    weights: np.ndarray = model.weights.toarray()
    return weights


def test_weights_into_items_outside_eases_head_are_scaled_and_the_rest_kept() -> None:
    # More listeners than items: EASE takes the primal form, on the HEAD most played.
    data = synthetic_interactions(SyntheticSpec(users=400, plays=12_000, items=150, seed=4))
    assert not dual_applies(data.n_users, data.n_items)
    tail = tail_items(data.matrix, HEAD)
    played = np.flatnonzero(np.bincount(data.matrix.indices, minlength=data.n_items))
    head = np.setdiff1d(played, tail)
    assert head.size == HEAD and tail.size == played.size - HEAD
    one, two = _weights(data), _weights(data, tail_weight=2.0)
    assert one[:, tail].any() and one[:, head].any()
    np.testing.assert_array_equal(two[:, tail], 2 * one[:, tail])
    np.testing.assert_array_equal(two[:, head], one[:, head])
    # One part only (a = 0 or 1): nothing to catch up with, nothing changes.
    for a in (0.0, 1.0):
        np.testing.assert_array_equal(
            _weights(data, ease_weight=a, tail_weight=3.0), _weights(data, ease_weight=a)
        )


@pytest.mark.parametrize("users", [100, 400])
def test_no_tail_where_ease_covers_every_played_item(users: int) -> None:
    # Fewer listeners than items (dual form), or no more played items than the head.
    items = 400 if users == 100 else 25
    data = synthetic_interactions(SyntheticSpec(users=users, plays=3_000, items=items, seed=5))
    assert tail_items(data.matrix, HEAD).size == 0
    np.testing.assert_array_equal(_weights(data, tail_weight=3.0), _weights(data))
