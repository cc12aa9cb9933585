"""Recommendation: the in-memory feature index and the engine that ranks it.

What plugs in here: a `FeatureIndex` built from storage's `TrackRepo.iter_all`
batches (`FeatureIndex.from_batches`, or `IndexBuilder` for async streams),
which the owning service swaps in whole by one attribute assignment; and a
`RecommendationQuery` (from Spotify's query string via `parse_query`) that
`recommend` answers. Modules: `columns` (batches -> arrays), `scaling`
(standardised space), `genres`, `feature_index`, `query`, `seeds`, `scoring`,
`selection`, `discovery` (the engine), `synthetic` (benchmark catalogs).
"""

from echotune.recommend.columns import IndexBuilder
from echotune.recommend.discovery import (
    RecommendationResult,
    SeedInfo,
    recommend,
)
from echotune.recommend.feature_index import FeatureIndex
from echotune.recommend.query import RecommendationQuery, parse_query

__all__ = [
    "FeatureIndex",
    "IndexBuilder",
    "RecommendationQuery",
    "RecommendationResult",
    "SeedInfo",
    "parse_query",
    "recommend",
]
