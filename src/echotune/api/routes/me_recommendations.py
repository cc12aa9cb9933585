"""GET /api/v1/me/recommendations: personal, explained, context-aware."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from echotune.api.deps import CurrentUser, PersonalDep
from echotune.recommend.personal.models import PersonalRecommendations, PersonalRequest

router = APIRouter(prefix="/api/v1/me", tags=["personal recommendations"])


def _csv(text: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (text or "").split(",") if p.strip())


async def personal_request(
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    diversity: Annotated[float, Query(ge=0, le=1, description="0 = pure relevance")] = 0.3,
    novelty: Annotated[float, Query(ge=0, le=1)] = 0.1,
    mood: Annotated[str | None, Query(description="e.g. happy, sad, calm, energetic")] = None,
    activity: Annotated[str | None, Query(description="e.g. workout, focus, sleep")] = None,
    hour: Annotated[int | None, Query(ge=0, le=23, description="Your local hour")] = None,
    seed_tracks: Annotated[str | None, Query(description="Comma-separated track ids")] = None,
    genres: Annotated[str | None, Query(description="Comma-separated, for a new listener")] = None,
    include_played: bool = False,
) -> PersonalRequest:
    return PersonalRequest(
        limit=limit,
        diversity=diversity,
        novelty=novelty,
        mood=mood,
        activity=activity,
        hour=hour,
        seed_tracks=_csv(seed_tracks),
        genres=_csv(genres),
        include_played=include_played,
    )


@router.get("/recommendations", response_model=PersonalRecommendations)
async def my_recommendations(
    req: Annotated[PersonalRequest, Depends(personal_request)],
    personal: PersonalDep,
    user: CurrentUser,
) -> PersonalRecommendations:
    return await personal.recommend(user.id, req)
