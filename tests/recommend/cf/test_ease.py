"""EASE: both solver forms against the closed form computed densely in float64."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from echotune.recommend.cf.ease import EASE, ease_items
from echotune.recommend.cf.ease_solver import DualEase, PrimalEase, pruned, solve
from echotune.recommend.cf.interactions import Interactions


def reference(x: sp.csr_matrix, lam: float, dropout: float = 0.0) -> np.ndarray:
    """EASE, or DLAE for dropout q > 0 (with its diagonal zeroed), dense in float64."""
    d = x.toarray().astype(np.float64)
    g = d.T @ d
    penalty = np.diag(lam + dropout * np.diag(g))
    p = np.linalg.inv(g + penalty)
    if dropout == 0:
        return np.eye(d.shape[1]) - p / np.diag(p)[np.newaxis, :]
    b = p @ g  # DLAE as Steck writes it: (G + Λ)⁻¹ G = I - PΛ
    np.fill_diagonal(b, 0.0)
    return b


@pytest.fixture
def plays() -> sp.csr_matrix:
    rng = np.random.default_rng(5)
    return sp.csr_matrix((rng.random((40, 70)) < 0.12).astype(np.float32))


@pytest.mark.parametrize("dropout", [0.0, 1.0], ids=["ease", "dlae"])
@pytest.mark.parametrize("form", [PrimalEase, DualEase])
def test_both_forms_give_the_closed_form(form: type, dropout: float, plays: sp.csr_matrix) -> None:
    weighted = plays.multiply(np.arange(1, 71, dtype=np.float32) % 3 + 1).tocsr()
    b = reference(weighted, 7.0, dropout)
    solution = form(weighted, 7.0, dropout)
    np.testing.assert_allclose(solution.columns(0, 70), b, atol=1e-5)
    np.testing.assert_allclose(
        solution.user_scores(weighted[:6]), weighted[:6].toarray() @ b, atol=1e-4
    )
    rows = np.array([0, 3, 9, 12])
    np.testing.assert_allclose(solution.entries(rows, 9), b[rows, 9], atol=1e-5)
    assert np.allclose(np.diag(solution.columns(0, 70)), 0.0)


def test_the_dual_form_is_chosen_for_fewer_users_than_items(plays: sp.csr_matrix) -> None:
    assert isinstance(solve(plays, 1.0), DualEase)
    assert isinstance(solve(plays.T.tocsr(), 1.0), PrimalEase)


def test_pruning_keeps_the_largest_weights_per_target(plays: sp.csr_matrix) -> None:
    b = reference(plays, 7.0)
    w = pruned(PrimalEase(plays, 7.0), 70, 4).toarray()
    assert ((w != 0).sum(axis=0) <= 4).all()
    for col in (0, 17, 69):
        kept = np.sort(np.abs(w[:, col]))[-4:]
        np.testing.assert_allclose(kept, np.sort(np.abs(b[:, col]))[-4:], rtol=1e-4)


def test_the_primal_form_covers_only_the_most_played_items() -> None:
    # More users than items: the primal form, so the 2-item cap applies.
    x = sp.csr_matrix(
        np.array(
            [[1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 1], [1, 1, 0, 0], [1, 0, 0, 0]], dtype=np.float32
        )
    )
    assert ease_items(x, 2).tolist() == [0, 1]
    model = EASE(lam=1.0, max_items=2)
    model.fit(Interactions(tuple("abcde"), tuple("wxyz"), x))
    scores = model.score(4)
    assert scores[1] > 0.1 and abs(scores[2]) < 1e-3 and abs(scores[3]) < 1e-3


def test_the_primal_weights_are_row_major_so_scoring_reads_rows(plays: sp.csr_matrix) -> None:
    """A block of users times B reads B's rows; column-major B made scipy copy B per call
    (36x slower at 10,000 items). The values are the closed form's either way."""
    x = plays.T.tocsr()  # more users than items: the primal form
    solution = PrimalEase(x, 7.0)
    assert solution.b.flags.c_contiguous
    np.testing.assert_allclose(solution.b, reference(x, 7.0), atol=1e-5)
    column_major = np.asfortranarray(solution.b)
    assert np.array_equal(solution.user_scores(x[:9]), np.asarray(x[:9] @ column_major))
