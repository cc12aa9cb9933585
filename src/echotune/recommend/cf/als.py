"""`implicit-als`: the `implicit` library's CPU AlternatingLeastSquares (Hu, Koren, Volinsky 2008).

`implicit` is imported when a model is fitted, so the rest of EchoTune loads
without it. Input weights are `bm25` (damps heavy users and popular items) or
`confidence` (1 + log of the play count), then scaled by `alpha`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal

import numpy as np
import scipy.sparse as sp

from echotune.recommend.cf.base import F32, Idx, NotFitted, ScoringModel
from echotune.recommend.cf.blas import single_threaded_blas
from echotune.recommend.cf.weighting import weigh

AlsWeighting = Literal["bm25", "confidence"]
_THREADS: ContextVar[int] = ContextVar("als_threads", default=0)


@contextmanager
def als_threads(threads: int) -> Iterator[None]:
    """Inside the block, ALS fits whose `threads` is 0 run on `threads` threads.

    Outside any, they run on `implicit`'s default, every core. The server's
    background retrain narrows it, as two fitting threads next to requests
    on two cores raised their p99 (docs/evaluation.md, "Training cost").
    The factors do not depend on it: each thread solves its own users' rows.
    """
    token = _THREADS.set(max(1, threads))
    try:
        yield
    finally:
        _THREADS.reset(token)


class ImplicitALS(ScoringModel):
    name = "implicit-als"

    def __init__(
        self,
        factors: int = 64,
        regularization: float = 0.05,
        alpha: float = 2.0,
        iterations: int = 15,
        weighting: AlsWeighting = "bm25",
        seed: int = 42,
        threads: int = 0,
    ) -> None:
        super().__init__()
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.iterations = iterations
        self.weighting: AlsWeighting = weighting
        self.seed = seed
        self.threads = threads
        self._users: F32 | None = None
        self._items: F32 | None = None

    def _fit(self, matrix: sp.csr_matrix) -> None:
        # implicit's own threads do the work; a threaded BLAS inside them thrashes
        # (implicit warns about it, and our tests turn warnings into errors).
        from implicit.cpu.als import AlternatingLeastSquares

        confidence = weigh(matrix, "bm25" if self.weighting == "bm25" else "log")
        with single_threaded_blas():
            model = AlternatingLeastSquares(
                factors=self.factors,
                regularization=self.regularization,
                alpha=self.alpha,
                iterations=self.iterations,
                calculate_training_loss=False,
                num_threads=self.threads or _THREADS.get(),
                random_state=self.seed,
            )
            model.fit(sp.csr_matrix(confidence, dtype=np.float32), show_progress=False)
        self._users = np.ascontiguousarray(model.user_factors, dtype=np.float32)
        self._items = np.ascontiguousarray(model.item_factors, dtype=np.float32)

    def fit_matrix(self, matrix: sp.csr_matrix) -> None:
        """Fit on a bare user x item matrix (for models that embed ALS)."""
        self._fit(matrix)

    def embeddings(self) -> tuple[F32, F32]:
        """(user factors, item factors) of the fitted model."""
        if self._users is None or self._items is None:
            raise NotFitted(self.name)
        return self._users, self._items

    def _scores(self, users: Idx) -> F32:
        user_f, item_f = self.embeddings()
        scores: F32 = user_f[users] @ item_f.T
        return scores
