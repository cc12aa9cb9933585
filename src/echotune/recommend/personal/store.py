"""Trains the collaborative model from everyone's plays, saves it, and swaps it in.

Training runs in a worker thread, so requests keep being answered by the
previous model until the single assignment that installs the new one.
`schedule()` coalesces bursts (several imports in a row train once more,
not once each).

A model maps onto one catalog index (its scores come out in that index's row
order). `serving(index)` hands a request the model together with the index it
was mapped onto, so a request never mixes a rebuilt index with a model mapped
onto the old one; the model is re-mapped onto the new index in a worker thread
(~2 s at a million tracks) and swapped in. It also notices a model file saved by
another process (`echotune train`, `echotune import history`) and installs it
the same way, at most `check_seconds` after it was written.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from array import array
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import structlog
from pydantic import BaseModel

from echotune.errors import EchotuneError
from echotune.listening.models import UserTrackStats
from echotune.recommend.cf.echotune_model import EchoTuneModel, training_threads
from echotune.recommend.cf.interactions import Interactions
from echotune.recommend.cf.latent import LatentRerank
from echotune.recommend.cf.registry import Param
from echotune.recommend.cf.weighting import Bm25Stats
from echotune.recommend.feature_index import FeatureIndex
from echotune.recommend.personal import model_params
from echotune.recommend.personal.cf_scorer import CFArtifact, CFScorer
from echotune.storage.base import ListeningRepo

log = structlog.get_logger(__name__)
ARTIFACT_NAME = "collaborative.npz"
# How often requests look at the model file for one saved by another process.
CHECK_SECONDS = 1.0
Signature = tuple[int, int, int]  # the model file's (mtime_ns, size, inode)


class TrainReport(BaseModel):
    trained: bool
    users: int
    items: int
    interactions: int
    seconds: float
    model: str
    reason: str | None = None
    # The kept parameters training used (`echotune train --params`; {} = the defaults).
    params: dict[str, int | float | str] = {}
    # Threads training used (`fit_artifact`; the model does not depend on it).
    threads: int = 1


class ModelStore:
    def __init__(
        self,
        listening: ListeningRepo,
        index: Callable[[], FeatureIndex],
        artifact_dir: Path,
        refresh_index: Callable[[], Awaitable[object]] | None = None,
        check_seconds: float = CHECK_SECONDS,
        train_threads: int = 1,
    ) -> None:
        self._listening = listening
        self._refresh_index = refresh_index
        self._index = index
        self._dir = artifact_dir
        self._path = artifact_dir / ARTIFACT_NAME
        self._scorer: CFScorer | None = None
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[TrainReport | None] | None = None
        self._again = False
        self.check_seconds = check_seconds
        # Threads a retrain may use (`fit_artifact`).
        self.train_threads = train_threads
        self._installed: Signature | None = None  # the file the current model came from
        self._refused: Signature | None = None  # a file that could not be installed
        self._checked = -math.inf
        self._refresh: asyncio.Task[None] | None = None

    def scorer(self) -> CFScorer | None:
        return self._scorer

    def params(self) -> dict[str, Param]:
        """The parameters retraining uses: kept by `set_params`, else {} (the defaults)."""
        return model_params.load_kept(self._dir)

    def set_params(self, params: Mapping[str, Param]) -> None:
        """Use `params` (checked) for this and every later training; {} for the defaults."""
        model_params.keep(self._dir, model_params.check_params(params))

    def load(self) -> bool:
        """Install the saved artifact, if there is one."""
        signature = _signature(self._path)
        if signature is None:
            return False
        self._scorer = CFScorer(CFArtifact.load(self._path), self._index())
        self._installed = signature
        log.info("cf.model.loaded", path=str(self._path), items=len(self._scorer.artifact.item_ids))
        return True

    def serving(self, index: FeatureIndex) -> tuple[FeatureIndex, CFScorer | None]:
        """The index and model to answer one request with, `index` being the current one.

        When `index` was rebuilt after the model was mapped onto its index,
        the request gets the model's index (the new tracks wait for the
        re-mapping, which this starts). Also starts installing a model file
        another process saved. Call from the event loop.
        """
        self._watch(index)
        scorer = self._scorer
        return (index if scorer is None else scorer.index), scorer

    async def settle(self) -> None:
        """Wait for a re-mapping or an install that `serving` started (tests, shutdown)."""
        if self._refresh is not None:
            await self._refresh

    async def train(self, threads: int | None = None) -> TrainReport:
        """Train now (on `threads` threads, else `train_threads`: `fit_artifact`) and install."""
        threads = threads or self.train_threads
        async with self._lock:
            start = time.perf_counter()
            params = self.params()
            interactions = await self._interactions()
            if interactions.nnz == 0:
                return TrainReport(trained=False, users=0, items=0, interactions=0,
                                   seconds=0.0, model="echotune", reason="no plays yet",
                                   params=params, threads=threads)  # fmt: skip
            artifact = await asyncio.to_thread(fit_artifact, interactions, params, threads)
            self._installed = await asyncio.to_thread(self._save, artifact)
            self._scorer = await asyncio.to_thread(CFScorer, artifact, self._index())
            report = TrainReport(
                trained=True,
                users=interactions.n_users,
                items=interactions.n_items,
                interactions=interactions.nnz,
                seconds=round(time.perf_counter() - start, 3),
                model=artifact.name,
                params=params,
                threads=threads,
            )
            log.info("cf.model.trained", **report.model_dump())
            return report

    def schedule(self) -> None:
        """Retrain in the background; a request during training queues one more run."""
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> TrainReport | None:
        try:
            return await self._train_until_settled()
        except EchotuneError as exc:
            # A background run has nobody to raise to: log it; the old model stays.
            log.error("cf.model.train_failed", error=exc.message)
            return None

    async def _train_until_settled(self) -> TrainReport:
        while True:
            self._again = False
            if self._refresh_index is not None:
                # Imports add tracks to the catalog: index them before training on them.
                await self._refresh_index()
            report = await self.train()
            if not self._again:
                return report

    async def wait(self) -> TrainReport | None:
        """Wait for background training; its report (None: none ran, or it failed)."""
        return None if self._task is None else await self._task

    async def stop(self) -> None:
        """Cancel background work (at shutdown: the saved model stays as it was)."""
        for task in (self._task, self._refresh):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._task = self._refresh = None

    def _watch(self, index: FeatureIndex) -> None:
        """Start re-mapping onto a rebuilt `index`, or installing a file saved elsewhere."""
        if self._refresh is not None and not self._refresh.done():
            return
        scorer = self._scorer
        if scorer is not None and scorer.index is not index:
            self._refresh = asyncio.get_running_loop().create_task(self._remap(scorer, index))
            return
        now = time.monotonic()
        if now - self._checked < self.check_seconds:
            return
        self._checked = now
        signature = _signature(self._path)
        if signature is not None and signature not in (self._installed, self._refused):
            self._refresh = asyncio.get_running_loop().create_task(self._install_saved())

    async def _remap(self, scorer: CFScorer, index: FeatureIndex) -> None:
        remapped = await asyncio.to_thread(CFScorer, scorer.artifact, index)
        # Unless training installed a newer model meanwhile.
        if self._scorer is scorer:
            self._scorer = remapped
            log.info("cf.model.remapped", tracks=len(index))

    async def _install_saved(self) -> None:
        """Install the model file another process saved (under the training lock, so
        this process's own training is not overtaken by an older file)."""
        async with self._lock:
            signature = _signature(self._path)
            if signature is None or signature == self._installed:
                return
            try:
                artifact = await asyncio.to_thread(CFArtifact.load, self._path)
            except Exception:
                # Whatever is wrong with the file, the current model keeps
                # serving, and this file is not tried again.
                self._refused = signature
                log.exception("cf.model.install_failed", path=str(self._path))
                return
            scorer = await asyncio.to_thread(CFScorer, artifact, self._index())
            if scorer.unknown and self._refresh_index is not None:
                # The other process added tracks to the catalog: index them first.
                await self._refresh_index()
                scorer = await asyncio.to_thread(CFScorer, artifact, self._index())
            self._scorer, self._installed = scorer, signature
            log.info(
                "cf.model.installed", path=str(self._path), trained_at=str(artifact.trained_at)
            )

    async def pairs(self) -> AsyncIterator[list[tuple[str, str, float]]]:
        """What training learns from, a batch at a time: (user id, track id,
        `training_weight`) for every pair whose weight is > 0, in (user, track) order."""
        async for batch in self._listening.iter_user_track_stats():
            yield [
                (s.user_id, s.track_id, float(w)) for s in batch if (w := training_weight(s)) > 0
            ]

    async def _interactions(self) -> Interactions:
        # Compact arrays rather than a list of tuples: tens of millions of pairs
        # fit. The stats are read here directly rather than through `pairs`,
        # whose tuples cost ~40% more in this loop.
        users: dict[str, int] = {}
        items: dict[str, int] = {}
        rows, cols, weights = array("i"), array("i"), array("f")
        async for batch in self._listening.iter_user_track_stats():
            for s in batch:
                weight = training_weight(s)
                if weight > 0:
                    rows.append(users.setdefault(s.user_id, len(users)))
                    cols.append(items.setdefault(s.track_id, len(items)))
                    weights.append(weight)
        return Interactions.from_indices(tuple(users), tuple(items), rows, cols, weights)

    def _save(self, artifact: CFArtifact) -> Signature | None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        artifact.save(self._path)
        return _signature(self._path)


def training_weight(stats: UserTrackStats) -> int:
    """What training learns from one listener's plays of one track: the
    listened-through plays, each skip taking one away (<= 0: left out)."""
    return stats.plays - stats.skips


def _signature(path: Path) -> Signature | None:
    """What tells one saved model file from the next (each save is a new file renamed
    into place), or None when there is none."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


def fit_artifact(
    interactions: Interactions,
    params: Mapping[str, Param] | None = None,
    threads: int | None = None,
) -> CFArtifact:
    """The production collaborative model (`EchoTuneModel` with `params`, else its
    defaults), fitted and packed. With `threads`, the item-neighbour blocks and the
    ALS term's fit run on that many threads (else: blocks on one, ALS on every
    core); the model is the same for any count."""
    kwargs: dict[str, Any] = dict(params or {})
    model = EchoTuneModel(**kwargs)
    with training_threads(threads) if threads is not None else contextlib.nullcontext():
        model.fit(interactions)
    latent = model.latent
    factors = latent.embeddings()[1] if latent is not None else np.zeros((0, 0), np.float32)
    return CFArtifact(
        name=model.name,
        item_ids=interactions.item_ids,
        weights=model.weights,
        prior=model.prior,
        weighting=model.weighting,
        trained_at=datetime.now(UTC),
        users=interactions.n_users,
        interactions=interactions.nnz,
        item_factors=np.ascontiguousarray(factors, dtype=np.float32),
        latent_weight=latent.weight if latent is not None else 0.0,
        latent_scale=latent.scale if latent is not None else 1.0,
        latent_regularization=latent.regularization if latent is not None else 10.0,
        candidates=latent.candidates if latent is not None else 0,
        **_latent_input(latent, interactions),
    )


def _latent_input(latent: LatentRerank | None, interactions: Interactions) -> dict[str, Any]:
    """How the ALS term weighted plays, so serving folds listeners in the same way."""
    if latent is None:
        return {}
    fields: dict[str, Any] = {"latent_alpha": latent.alpha, "latent_weighting": latent.weighting}
    if latent.weighting == "bm25":
        fields["latent_bm25"] = Bm25Stats.of(interactions.matrix)
    return fields
