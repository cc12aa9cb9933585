"""The engine behind Spotify-compatible GET /v1/recommendations.

`recommend(index, query)` resolves the seeds, applies min/max filters as hard
masks, scores every row in one vectorised pass (see `scoring`), and picks the
best `limit` with variety per artist (see `selection`). It reads only the
immutable index, so concurrent calls need no locking.

Filters compare in float32, the index's precision: a bound equal to a stored
value keeps the track, and values that differ only beyond float32 precision
are treated as equal.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from echotune.recommend.feature_index import FeatureIndex
from echotune.recommend.genres import GenreTable
from echotune.recommend.query import RecommendationQuery
from echotune.recommend.scoring import candidate_mask, score_rows
from echotune.recommend.seeds import ResolvedSeed, resolve_seeds
from echotune.recommend.selection import select

SPOTIFY_API_BASE = "https://api.spotify.com/v1"
I64 = npt.NDArray[np.int64]


class SeedInfo(BaseModel):
    """Spotify's RecommendationSeedObject; dump with `by_alias=True` for its field names."""

    model_config = ConfigDict(frozen=True)

    id: str
    type: Literal["ARTIST", "GENRE", "TRACK"]
    href: str | None
    initial_pool_size: int = Field(serialization_alias="initialPoolSize")
    after_filtering_size: int = Field(serialization_alias="afterFilteringSize")
    # We serve no regional relinking, so nothing is lost after filtering.
    after_relinking_size: int = Field(serialization_alias="afterRelinkingSize")


class RecommendationResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    track_ids: list[str]
    seeds: list[SeedInfo]


def _href(seed: ResolvedSeed, api_base: str) -> str | None:
    if seed.type == "GENRE":
        return None
    kind = "tracks" if seed.type == "TRACK" else "artists"
    return f"{api_base}/{kind}/{seed.id}"


def _seed_info(
    seed: ResolvedSeed, genres: GenreTable, before: I64, after: I64, api_base: str
) -> SeedInfo:
    filtered = genres.pool_size(seed.labels, after)
    return SeedInfo(
        id=seed.id,
        type=seed.type,
        href=_href(seed, api_base),
        initial_pool_size=genres.pool_size(seed.labels, before),
        after_filtering_size=filtered,
        after_relinking_size=filtered,
    )


def recommend(
    index: FeatureIndex, query: RecommendationQuery, *, api_base: str = SPOTIFY_API_BASE
) -> RecommendationResult:
    """Up to `query.limit` track ids, best first, and how big each seed's pool was.

    A seed's pool is the candidates sharing a genre with it (every candidate
    when it has no genre); seed tracks themselves are never candidates.
    Raises `InvalidInput` for seed ids or genres the catalog does not know.
    """
    seeds = resolve_seeds(index, query)
    own = np.array(sorted({s.own_row for s in seeds if s.own_row is not None}), dtype=np.intp)
    keep = candidate_mask(index, query.min_values, query.max_values)
    before = index.genres.pair_counts(None, own)
    if keep is None:
        after = before
    else:
        keep[own] = False
        after = index.genres.pair_counts(np.flatnonzero(keep), own)
    score = score_rows(index, seeds, query.target_values)
    score[own] = -np.inf
    seed_artists = {s.artist_code for s in seeds if s.artist_code is not None}
    count = int(after.sum())
    rows = select(score, keep, count, query.limit, index.artist_codes, seed_artists)
    return RecommendationResult(
        track_ids=index.ids[rows].tolist(),
        seeds=[_seed_info(s, index.genres, before, after, api_base) for s in seeds],
    )
