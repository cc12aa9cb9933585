"""One contract for every collaborative model: each registered model runs the same checks."""

from __future__ import annotations

import numpy as np
import pytest

from echotune.recommend.cf.base import Explainer, NotFitted, Recommender
from echotune.recommend.cf.interactions import Interactions
from echotune.recommend.cf.registry import MODEL_NAMES, Params, make_model
from tests.recommend.cf.conftest import A, B, C

# Small settings so every model fits the 62-user set in milliseconds.
SMALL: dict[str, Params] = {
    "popularity": {},
    "itemknn": {"neighbours": 20, "shrink": 1.0},
    "implicit-als": {"factors": 8, "iterations": 10, "regularization": 0.1, "threads": 1},
    "ease": {"lam": 5.0},
    "echotune": {"lam": 5.0, "neighbours": 20, "shrink": 1.0, "als_weight": 0.3, "als_factors": 8},
}
PERSONAL = [name for name in MODEL_NAMES if name != "popularity"]


def test_every_registered_model_is_covered() -> None:
    assert set(SMALL) == set(MODEL_NAMES)


@pytest.fixture(params=MODEL_NAMES)
def name(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


def fitted(name: str, data: Interactions, seed: int = 7) -> Recommender:
    model = make_model(name, SMALL[name], seed=seed)
    model.fit(data)
    return model


def test_satisfies_the_protocol_and_refuses_before_fit(name: str) -> None:
    model = make_model(name, SMALL[name])
    assert isinstance(model, Recommender)
    assert model.name == name
    with pytest.raises(NotFitted):
        model.recommend([0], 3)


def test_shapes_and_ranges(name: str, planted_data: Interactions) -> None:
    model = fitted(name, planted_data)
    users = np.arange(planted_data.n_users)
    recs = model.recommend(users, 7)
    assert recs.shape == (planted_data.n_users, 7) and recs.dtype == np.int64
    assert recs.min() >= -1 and recs.max() < planted_data.n_items
    scores = model.score(0)
    assert scores.shape == (planted_data.n_items,) and np.all(np.isfinite(scores))
    for row in recs:
        listed = row[row >= 0]
        assert len(set(listed.tolist())) == listed.size


def test_deterministic_with_a_fixed_seed(name: str, planted_data: Interactions) -> None:
    users = np.arange(planted_data.n_users)
    first = fitted(name, planted_data).recommend(users, 5)
    second = fitted(name, planted_data).recommend(users, 5)
    np.testing.assert_array_equal(first, second)


def test_exclude_seen_is_honoured(name: str, planted_data: Interactions) -> None:
    model = fitted(name, planted_data)
    users = np.arange(planted_data.n_users)
    recs = model.recommend(users, 10)
    for user, row in zip(users, recs, strict=True):
        assert not set(row.tolist()) & set(planted_data.seen(int(user)).tolist())


def test_without_exclusion_the_list_follows_the_scores(
    name: str, planted_data: Interactions
) -> None:
    model = fitted(name, planted_data)
    user = planted_data.user_index("probe")
    assert user is not None
    top = model.recommend([user], 3, exclude_seen=False)[0]
    scores = model.score(user)
    assert scores[top[0]] == pytest.approx(scores.max())
    assert scores[top[0]] >= scores[top[1]] >= scores[top[2]]


def test_short_lists_are_padded(name: str, planted_data: Interactions) -> None:
    # "all" played every item but item 5: one item is left to recommend.
    user = planted_data.user_index("all")
    assert user is not None
    row = fitted(name, planted_data).recommend([user], 4)[0]
    assert row.tolist() == [5, -1, -1, -1]


@pytest.mark.parametrize("personal", PERSONAL)
def test_recovers_the_planted_pattern(personal: str, planted_data: Interactions) -> None:
    user = planted_data.user_index("probe")
    assert user is not None
    top = fitted(personal, planted_data).recommend([user], 1)[0]
    assert top[0] == C


def test_popularity_is_the_same_chart_for_everyone(planted_data: Interactions) -> None:
    recs = fitted("popularity", planted_data).recommend([0, 1], 1, exclude_seen=False)
    counts = np.bincount(planted_data.matrix.indices, minlength=planted_data.n_items)
    assert recs[:, 0].tolist() == [int(np.argmax(counts))] * 2


@pytest.mark.parametrize("explaining", ["itemknn", "ease", "echotune"])
def test_explains_with_the_users_own_items(explaining: str, planted_data: Interactions) -> None:
    # Without echotune's ALS term and popularity prior, which are not itemised.
    params = (
        {**SMALL[explaining], "als_weight": 0.0, "prior_weight": 0.0}
        if explaining == "echotune"
        else SMALL[explaining]
    )
    model = make_model(explaining, params, seed=7)
    model.fit(planted_data)
    assert isinstance(model, Explainer)
    user = planted_data.user_index("probe")
    assert user is not None
    reasons = model.explain(user, C, n=3)
    assert {item for item, _ in reasons} == {A, B}
    assert all(share > 0 for _, share in reasons)
    assert reasons == sorted(reasons, key=lambda r: -r[1])
    # The contributions add up to the part of the score that played items make.
    assert model.score(user)[C] == pytest.approx(sum(s for _, s in reasons), rel=0.05)


def test_echotune_with_its_als_term_still_explains(planted_data: Interactions) -> None:
    model = fitted("echotune", planted_data)
    assert isinstance(model, Explainer)
    user = planted_data.user_index("probe")
    assert user is not None
    assert {item for item, _ in model.explain(user, C)} == {A, B}
    plain = make_model("echotune", {**SMALL["echotune"], "als_weight": 0.0})
    plain.fit(planted_data)
    # The ALS term changes the scores of the shortlisted items only.
    diff = np.flatnonzero(~np.isclose(model.score(user), plain.score(user)))
    assert 0 < diff.size <= 300
