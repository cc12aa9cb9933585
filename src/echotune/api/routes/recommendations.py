"""Spotify-compatible GET /v1/recommendations and its genre seeds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from echotune.api.deps import ApiBase, CurrentUser, DiscoveryDep
from echotune.catalog.models import TUNABLE_ATTRIBUTES
from echotune.catalog.spotify_objects import GenreSeedsResponse, RecommendationsResponse
from echotune.recommend.query import RecommendationQuery, parse_query

router = APIRouter(prefix="/v1", tags=["Spotify-compatible recommendations"])

_TUNABLES = ", ".join(TUNABLE_ATTRIBUTES)
Seeds = Annotated[str | None, Query(description="Comma-separated; 1 to 5 seeds in total")]


async def recommendation_query(
    request: Request,
    seed_artists: Seeds = None,
    seed_genres: Seeds = None,
    seed_tracks: Seeds = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    market: Annotated[str | None, Query(description="Accepted; ignored")] = None,
) -> RecommendationQuery:
    # The 42 min_/max_/target_ parameters are read from the raw query string,
    # where the engine's parser validates each one by name.
    return parse_query(dict(request.query_params))


@router.get(
    "/recommendations",
    response_model=RecommendationsResponse,
    description=f"Also accepts min_X, max_X and target_X for X in: {_TUNABLES}.",
)
async def get_recommendations(
    query: Annotated[RecommendationQuery, Depends(recommendation_query)],
    discovery: DiscoveryDep,
    base: ApiBase,
    _: CurrentUser,
) -> RecommendationsResponse:
    return await discovery.recommend(query, base)


@router.get("/recommendations/available-genre-seeds", response_model=GenreSeedsResponse)
async def get_genre_seeds(discovery: DiscoveryDep, _: CurrentUser) -> GenreSeedsResponse:
    return discovery.genre_seeds()
