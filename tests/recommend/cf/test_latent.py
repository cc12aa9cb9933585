"""The ALS term of `echotune` is the `implicit-als` model with the same parameters."""

from __future__ import annotations

import numpy as np
import pytest

from echotune.recommend.cf.als import AlsWeighting, ImplicitALS
from echotune.recommend.cf.echotune_model import EchoTuneModel
from echotune.recommend.cf.interactions import Interactions


@pytest.mark.parametrize(("weighting", "alpha"), [("bm25", 1.0), ("confidence", 5.0)])
def test_the_als_term_is_the_baseline_model_it_borrows_from(
    planted_data: Interactions, weighting: AlsWeighting, alpha: float
) -> None:
    blend = EchoTuneModel(
        als_weight=1.0,
        als_factors=8,
        als_regularization=1.0,
        als_alpha=alpha,
        als_weighting=weighting,
        seed=3,
    )
    blend.fit(planted_data)
    als = ImplicitALS(factors=8, regularization=1.0, alpha=alpha, weighting=weighting, seed=3)
    als.fit(planted_data)
    assert blend.latent is not None
    for ours, theirs in zip(blend.latent.embeddings(), als.embeddings(), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)


def test_weighting_changes_the_als_term(planted_data: Interactions) -> None:
    embeddings = []
    for weighting in ("bm25", "confidence"):
        model = EchoTuneModel(als_weight=1.0, als_factors=8, als_weighting=weighting, seed=3)
        model.fit(planted_data)
        assert model.latent is not None
        embeddings.append(model.latent.embeddings()[1])
    assert not np.allclose(embeddings[0], embeddings[1])


def test_the_run_seed_reaches_the_als_term_as_it_reaches_the_baseline(
    planted_data: Interactions,
) -> None:
    """`echotune eval --seed` seeds both ALS fits: the same seed, the same factors."""
    from echotune.recommend.cf.registry import Param, make_model

    baseline: dict[str, Param] = {
        "factors": 8,
        "regularization": 1.0,
        "alpha": 1.0,
        "weighting": "bm25",
    }
    params: dict[str, Param] = {"als_weight": 1.0, **{f"als_{k}": v for k, v in baseline.items()}}
    factors = {}
    for seed in (5, 6):
        blend = make_model("echotune", params, seed=seed)
        blend.fit(planted_data)
        assert isinstance(blend, EchoTuneModel) and blend.latent is not None
        factors[seed] = blend.latent.embeddings()[1]
        als = make_model("implicit-als", baseline, seed=seed)
        als.fit(planted_data)
        assert isinstance(als, ImplicitALS)
        np.testing.assert_allclose(factors[seed], als.embeddings()[1], rtol=1e-4, atol=1e-5)
    assert not np.allclose(factors[5], factors[6])
