"""Spotify-compatible catalog endpoints: tracks, artists, audio features, search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from echotune.api.deps import ApiBase, CatalogDep, CurrentUser
from echotune.catalog.spotify_objects import (
    ArtistObject,
    AudioFeaturesObject,
    AudioFeaturesResponse,
    SearchResponse,
    TrackObject,
    TracksResponse,
)

router = APIRouter(prefix="/v1", tags=["Spotify-compatible catalog"])

Ids = Annotated[str, Query(description="Comma-separated Spotify ids")]
Market = Annotated[str | None, Query(description="Accepted for compatibility; ignored")]


@router.get("/tracks/{id}", response_model=TrackObject)
async def get_track(
    id: str, catalog: CatalogDep, base: ApiBase, _: CurrentUser, market: Market = None
) -> TrackObject:
    return await catalog.track(id, base)


@router.get("/tracks", response_model=TracksResponse)
async def get_tracks(
    ids: Ids, catalog: CatalogDep, base: ApiBase, _: CurrentUser, market: Market = None
) -> TracksResponse:
    return await catalog.tracks(ids, base)


@router.get("/artists/{id}", response_model=ArtistObject)
async def get_artist(id: str, catalog: CatalogDep, base: ApiBase, _: CurrentUser) -> ArtistObject:
    return await catalog.artist(id, base)


@router.get("/audio-features/{id}", response_model=AudioFeaturesObject)
async def get_audio_features(
    id: str, catalog: CatalogDep, base: ApiBase, _: CurrentUser
) -> AudioFeaturesObject:
    return await catalog.audio_features(id, base)


@router.get("/audio-features", response_model=AudioFeaturesResponse)
async def get_many_audio_features(
    ids: Ids, catalog: CatalogDep, base: ApiBase, _: CurrentUser
) -> AudioFeaturesResponse:
    return await catalog.many_audio_features(ids, base)


@router.get("/search", response_model=SearchResponse)
async def search(
    q: Annotated[str, Query(description="Words and artist:, track:, album:, genre:, year:")],
    type: Annotated[str, Query(description="Comma-separated: track, artist")],
    catalog: CatalogDep,
    base: ApiBase,
    _: CurrentUser,
    limit: Annotated[int, Query(ge=0, le=50)] = 20,
    offset: Annotated[int, Query(ge=0, le=1000)] = 0,
    market: Market = None,
) -> SearchResponse:
    return await catalog.search(q, type, limit, offset, base)
