"""A fitted item-based collaborative model, re-expressed over catalog rows.

Item-based models score a listener as x·W (their current, re-weighted plays
times an item x item matrix), so new plays and likes count at once, without
retraining. Saved and loaded as one .npz artifact.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from echotune.recommend.cf.als import AlsWeighting
from echotune.recommend.cf.item_based import top_contributions
from echotune.recommend.cf.weighting import Bm25Stats, Weighting, log_weights, weigh
from echotune.recommend.feature_index import FeatureIndex
from echotune.recommend.selection import shortlist, top_rows

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
# Listeners whose model rows are remembered (a few tens of kB each).
ROW_CACHE = 256


class _Row(NamedTuple):
    """One listener as a 1 x items row: their plays, and as the item-item part weighs them."""

    plays: sp.csr_matrix
    weighted: sp.csr_matrix


@dataclass(frozen=True)
class CFArtifact:
    """What training leaves behind: enough to score and explain, nothing more."""

    name: str
    item_ids: tuple[str, ...]
    weights: sp.csr_matrix  # item x item
    prior: F32
    weighting: Weighting
    trained_at: datetime
    users: int
    interactions: int
    # The ALS shortlist term of the production model (empty when it has none).
    item_factors: F32 = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    latent_weight: float = 0.0
    latent_scale: float = 1.0
    latent_regularization: float = 10.0
    candidates: int = 300
    # How the ALS term's training weighted plays, so a listener is folded in
    # the same way: confidence = alpha x (bm25 or 1 + log of the plays).
    latent_alpha: float = 1.0
    latent_weighting: AlsWeighting = "confidence"
    latent_bm25: Bm25Stats | None = None  # when the ALS term was trained on BM25

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp.npz")
        bm25 = self.latent_bm25 or Bm25Stats(np.zeros(0), 0.0)  # empty: no BM25
        np.savez_compressed(
            tmp,
            name=self.name,
            item_ids=np.array(self.item_ids, dtype=object),
            data=self.weights.data,
            indices=self.weights.indices,
            indptr=self.weights.indptr,
            shape=np.array(self.weights.shape),
            prior=self.prior,
            weighting=self.weighting,
            trained_at=self.trained_at.isoformat(),
            counts=np.array([self.users, self.interactions]),
            item_factors=self.item_factors,
            latent=np.array(
                [self.latent_weight, self.latent_scale, self.latent_regularization, self.candidates]
            ),
            latent_alpha=self.latent_alpha,
            latent_weighting=self.latent_weighting,
            bm25_idf=bm25.idf,
            bm25_mean=bm25.mean_length,
        )
        # Rename is atomic: a reader sees the old artifact or the new one, never half.
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> CFArtifact:
        with np.load(path, allow_pickle=True) as f:
            shape = tuple(int(v) for v in f["shape"])
            weights = sp.csr_matrix((f["data"], f["indices"], f["indptr"]), shape=shape)
            weighting: Weighting = str(f["weighting"])  # type: ignore[assignment]
            # Artifacts saved before the fold-in matched training lack the
            # latent_* inputs: they fold listeners in with log confidence.
            latent_weighting: AlsWeighting = str(f.get("latent_weighting", "confidence"))  # type: ignore[assignment]
            bm25 = (
                Bm25Stats(np.asarray(f["bm25_idf"]), float(f["bm25_mean"]))
                if f.get("bm25_idf", np.zeros(0)).size
                else None
            )
            return cls(
                name=str(f["name"]),
                item_ids=tuple(str(i) for i in f["item_ids"]),
                weights=weights,
                prior=np.asarray(f["prior"], dtype=np.float32),
                weighting=weighting,
                trained_at=datetime.fromisoformat(str(f["trained_at"])),
                users=int(f["counts"][0]),
                interactions=int(f["counts"][1]),
                item_factors=np.asarray(f["item_factors"], dtype=np.float32),
                latent_weight=float(f["latent"][0]),
                latent_scale=float(f["latent"][1]),
                latent_regularization=float(f["latent"][2]),
                candidates=int(f["latent"][3]),
                latent_alpha=float(f.get("latent_alpha", 1.0)),
                latent_weighting=latent_weighting,
                latent_bm25=bm25,
            )


class CFScorer:
    """Implements `CollaborativeScorer` for one artifact and one feature index."""

    def __init__(self, artifact: CFArtifact, index: FeatureIndex) -> None:
        self.artifact = artifact
        # Scores come out in this index's row order: answer a request with this
        # index, not one rebuilt since (`ModelStore.serving`).
        self.index = index
        self._item_of = {tid: i for i, tid in enumerate(artifact.item_ids)}
        rows = [index.row_of(tid) for tid in artifact.item_ids]
        row_of_item = np.array([-1 if r is None else r for r in rows], dtype=np.int64)
        # For each catalog row, the model item it is (or the extra zero slot at the end).
        n_items = len(artifact.item_ids)
        self._item_of_row: I64 = np.full(len(index), n_items, dtype=np.int64)
        known = row_of_item >= 0
        # Model items this index does not know at all, not even as tracks without
        # audio features (which it never places): another process added them.
        self.unknown = sum(
            1
            for tid in np.asarray(artifact.item_ids, dtype=object)[~known]
            if index.featureless_track(tid) is None
        )
        self._item_of_row[row_of_item[known]] = np.flatnonzero(known)
        factors = artifact.item_factors.astype(np.float64)
        self._gram = factors.T @ factors
        self._rows: OrderedDict[int, tuple[Mapping[str, float], _Row | None]] = OrderedDict()

    @property
    def ready(self) -> bool:
        return True

    def _user_row(self, track_weights: Mapping[str, float]) -> _Row | None:
        """The listener's model row (plays, and as the model weighs them), remembered
        for read-only mappings.

        The service keeps one profile per listener until their plays or
        feedback change, and a request asks for this row once for the scores
        and once per explained track; the id lookups cost ~0.3 µs per track.
        Only a MappingProxyType is remembered (by identity): it cannot change
        behind the cache's back.
        """
        key = id(track_weights)
        hit = self._rows.get(key)
        if hit is not None and hit[0] is track_weights:
            self._rows.move_to_end(key)
            return hit[1]
        row = self._lookup_row(track_weights)
        if isinstance(track_weights, MappingProxyType):
            self._rows[key] = (track_weights, row)
            if len(self._rows) > ROW_CACHE:
                self._rows.popitem(last=False)
        return row

    def _lookup_row(self, track_weights: Mapping[str, float]) -> _Row | None:
        # Vectorised: a heavy listener has thousands of tracks, and a Python
        # loop of tuples and a sort cost milliseconds per request.
        weights = np.fromiter(track_weights.values(), dtype=np.float64, count=len(track_weights))
        items = np.fromiter(
            (self._item_of.get(t, -1) for t in track_weights), dtype=np.int64, count=weights.size
        )
        keep = (items >= 0) & (weights > 0)
        if not keep.any():
            return None
        cols, data = items[keep], weights[keep]
        order = np.argsort(cols)
        raw = sp.csr_matrix(
            (data[order].astype(np.float32), cols[order], np.array([0, cols.size])),
            shape=(1, len(self.artifact.item_ids)),
        )
        return _Row(raw, weigh(raw, self.artifact.weighting))

    def scores(self, track_weights: Mapping[str, float]) -> F32 | None:
        rows = self._user_row(track_weights)
        if rows is None:
            return None
        row = rows.weighted
        # x·W touches only the played items' rows of W: slice them and take one
        # sparse (transposed) mat-vec, instead of a sparse x sparse product whose
        # workspace spans every item.
        seen = np.asarray(row.indices, dtype=np.int64)
        item_scores = np.empty(len(self.artifact.item_ids) + 1, dtype=np.float32)
        np.add(self.artifact.weights[seen].T @ row.data, self.artifact.prior, out=item_scores[:-1])
        item_scores[-1] = 0.0
        self._add_latent(item_scores, seen, rows.plays.data)
        out: F32 = item_scores[self._item_of_row]
        return out

    def _add_latent(self, item_scores: F32, seen: I64, plays: F32) -> None:
        """The production model's ALS term on the best `candidates` unplayed items."""
        art = self.artifact
        if art.latent_weight <= 0 or art.item_factors.size == 0:
            return
        y = art.item_factors
        user = self.fold_in(seen, plays)
        # Played items are masked in place (and restored) rather than in a copy of every score.
        played = item_scores[seen]
        item_scores[seen] = -np.inf
        masked = item_scores[:-1]
        count = masked.size - seen.size
        k = min(art.candidates, count)
        # A sampled threshold first: a partial sort of a million items costs
        # more than the rest of this method.
        cand = top_rows(masked, shortlist(masked, None, count, k), k)
        item_scores[seen] = played
        item_scores[cand] += np.float32(art.latent_weight / art.latent_scale) * (y[cand] @ user)

    def fold_in(self, seen: I64, plays: F32) -> F32:
        """The ALS user factor of a listener who played `seen` items `plays` times.

        Solved from their current plays with the implicit-ALS closed form
        (Hu, Koren, Volinsky 2008), so it needs no retraining:
        u = (YᵀY + Yₛᵀ(C−I)Yₛ + λI)⁻¹ Yₛᵀ C·1, with the confidence C that
        training used (`_confidence`): what `implicit`'s own `recalculate_user`
        gives (a test checks it).
        """
        art = self.artifact
        ys = art.item_factors[seen].astype(np.float64)
        conf = self._confidence(seen, plays)
        a = (
            self._gram
            + (ys.T * (np.abs(conf) - 1.0)) @ ys
            + art.latent_regularization * np.eye(ys.shape[1])
        )
        # implicit reads a negative confidence (BM25 of an item nearly everyone
        # played) as a weighted "not liked": it adds to A but not to b.
        user: F32 = np.linalg.solve(a, ys.T @ np.maximum(conf, 0.0)).astype(np.float32)
        return user

    def _confidence(self, seen: I64, plays: F32) -> npt.NDArray[np.float64]:
        """alpha x (BM25 or 1 + log) of the listener's plays, as the ALS term was trained."""
        art = self.artifact
        # In float32, as training weighted the plays.
        counts = plays.astype(np.float32)
        weights: npt.NDArray[np.floating]
        if art.latent_weighting == "bm25" and art.latent_bm25 is not None:
            weights = art.latent_bm25.values(counts, seen, counts.sum())
        else:
            weights = log_weights(counts)
        # implicit scales in float32 (the matrix it is given); so do we.
        return (np.float32(art.latent_alpha) * weights.astype(np.float32)).astype(np.float64)

    def explain(
        self, track_weights: Mapping[str, float], track_id: str, n: int = 1
    ) -> list[tuple[str, float]]:
        item = self._item_of.get(track_id)
        rows = self._user_row(track_weights)
        if item is None or rows is None:
            return []
        row = rows.weighted
        seen = np.asarray(row.indices, dtype=np.int64)
        top = top_contributions(seen, row.data, self.artifact.weights[seen], item, n)
        return [(self.artifact.item_ids[j], share) for j, share in top]
