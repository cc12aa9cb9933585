"""A latent-factor (ALS) term that re-scores a shortlist of another model's best items.

Item-item models see only items that co-occur with what a user played; a
low-rank model sees the user's whole taste at once, and the two err
differently. Adding weight · (u·v_i) / scale to the top `candidates` items
keeps that benefit at the cost of `candidates` dot products per user, rather
than one per catalog item (a million items would take ~30 ms per user).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from echotune.recommend.cf import memo
from echotune.recommend.cf.als import AlsWeighting, ImplicitALS
from echotune.recommend.cf.base import F32, Idx, NotFitted, top_k

# Users sampled to measure the typical top ALS score; users scored per chunk.
SCALE_SAMPLE = 256
CHUNK = 256


class LatentRerank:
    def __init__(
        self,
        weight: float,
        factors: int,
        regularization: float,
        candidates: int,
        seed: int,
        alpha: float = 1.0,
        weighting: AlsWeighting = "bm25",
    ) -> None:
        self.weight = weight
        self.candidates = candidates
        self.regularization = regularization
        self._als = ImplicitALS(
            factors=factors,
            regularization=regularization,
            alpha=alpha,
            weighting=weighting,
            seed=seed,
        )
        self._scale = 1.0
        self._factors: tuple[F32, F32] | None = None

    @property
    def scale(self) -> float:
        """The typical top ALS score of a user; the term adds weight * (u·v) / scale."""
        return self._scale

    @property
    def alpha(self) -> float:
        return self._als.alpha

    @property
    def weighting(self) -> AlsWeighting:
        """How plays become the ALS term's confidence (before `alpha`)."""
        return self._als.weighting

    def embeddings(self) -> tuple[F32, F32]:
        """(user factors, item factors), rows in the fitted matrix's order."""
        if self._factors is None:
            raise NotFitted("the ALS term is not fitted")
        return self._factors

    def fit(self, matrix: sp.csr_matrix) -> None:
        als = self._als
        # While tuning, the same ALS on the same fold is fitted once.
        data = memo.fingerprint(matrix) if memo.active() else ""
        settings = (als.factors, als.regularization, als.alpha, als.weighting, als.iterations)
        key = (data, *settings, als.seed)
        users, items, self._scale = memo.reuse(
            "als", key, lambda: self._fit_now(matrix), copy=lambda kept: kept
        )
        self._factors = (users, items)

    def _fit_now(self, matrix: sp.csr_matrix) -> tuple[F32, F32, float]:
        self._als.fit_matrix(matrix)
        users, items = self._als.embeddings()
        sample = users[:: max(1, users.shape[0] // SCALE_SAMPLE)]
        tops = [float((sample[i : i + 32] @ items.T).max()) for i in range(0, sample.shape[0], 32)]
        tops = [t for t in tops if t > 0]
        return users, items, float(np.median(tops)) if tops else 1.0

    def apply(self, scores: F32, users: Idx, seen: sp.csr_matrix) -> None:
        """Add the latent term to each row's best `candidates` unseen items, in place."""
        user_f, item_f = self.embeddings()
        masked = scores.copy()
        masked[seen.nonzero()] = -np.inf
        factor = np.float32(self.weight / self._scale)
        for start in range(0, users.size, CHUNK):
            cand = top_k(masked[start : start + CHUNK], self.candidates)
            valid = cand >= 0
            vectors = item_f[np.where(valid, cand, 0)]
            latent = np.einsum("nf,ncf->nc", user_f[users[start : start + CHUNK]], vectors)
            rows = np.repeat(np.arange(start, start + cand.shape[0]), cand.shape[1])
            scores[rows[valid.ravel()], cand[valid]] += factor * latent[valid]
