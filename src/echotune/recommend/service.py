"""The discovery service: owns the feature index and answers /v1/recommendations."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import structlog
from pydantic import BaseModel

from echotune.catalog.object_cache import TrackObjectCache
from echotune.catalog.spotify_objects import (
    GenreSeedsResponse,
    RecommendationSeedObject,
    RecommendationsResponse,
)
from echotune.errors import StorageUnavailable
from echotune.observability.metrics import Metrics
from echotune.recommend.columns import IndexBuilder
from echotune.recommend.discovery import recommend
from echotune.recommend.feature_index import FeatureIndex
from echotune.recommend.query import RecommendationQuery
from echotune.storage.base import TrackRepo

log = structlog.get_logger(__name__)
# Below this many rows a query costs about a millisecond, less than a thread hop's
# scheduling jitter, so it runs inline.
_INLINE_ROWS = 200_000


class ModelStatus(BaseModel):
    loaded: bool
    tracks: int = 0
    genres: int = 0
    built_at: datetime | None = None
    build_seconds: float | None = None
    memory_bytes: int = 0


class DiscoveryService:
    def __init__(self, tracks: TrackRepo, metrics: Metrics) -> None:
        self._tracks = tracks
        self._metrics = metrics
        self._index: FeatureIndex | None = None
        self._status = ModelStatus(loaded=False)
        self._rebuild_lock = asyncio.Lock()
        self._objects = TrackObjectCache(tracks)

    async def rebuild(self) -> ModelStatus:
        """Build a new index from storage and swap it in; requests keep using the old
        one until the single assignment below."""
        async with self._rebuild_lock:
            start = time.perf_counter()
            builder = IndexBuilder()
            async for batch in self._tracks.iter_all():
                builder.add(batch)
            index = await asyncio.to_thread(lambda: FeatureIndex(builder.columns()))
            self._index = index
            self._objects.clear()
            self._status = ModelStatus(
                loaded=True,
                tracks=len(index),
                genres=len(index.available_genres()),
                built_at=datetime.now(UTC),
                build_seconds=round(time.perf_counter() - start, 3),
                memory_bytes=index.nbytes,
            )
            self._metrics.catalog_tracks.set(len(index))
            log.info("discovery.index.built", tracks=len(index), seconds=self._status.build_seconds)
            return self._status

    def status(self) -> ModelStatus:
        return self._status

    def index(self) -> FeatureIndex:
        """The current feature index (raises while it is still loading)."""
        return self._require_index()

    def _require_index(self) -> FeatureIndex:
        if self._index is None:
            raise StorageUnavailable("The recommendation index is still loading; retry shortly")
        return self._index

    async def recommend(self, query: RecommendationQuery, base: str) -> RecommendationsResponse:
        index = self._require_index()
        start = time.perf_counter()
        if len(index) > _INLINE_ROWS:
            # A full scan of a large catalog takes milliseconds: keep the event loop free.
            result = await asyncio.to_thread(recommend, index, query, api_base=base)
        else:
            result = recommend(index, query, api_base=base)
        self._metrics.recommend_latency.labels("discovery").observe(time.perf_counter() - start)
        return RecommendationsResponse(
            seeds=[RecommendationSeedObject(**s.model_dump(by_alias=True)) for s in result.seeds],
            tracks=await self._objects.get_many(result.track_ids, base),
        )

    def genre_seeds(self) -> GenreSeedsResponse:
        return GenreSeedsResponse(genres=self._require_index().available_genres())
