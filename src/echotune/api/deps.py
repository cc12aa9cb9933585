"""Dependency injection for routes, as Annotated aliases in one file.

Every dependency is `async def`: FastAPI runs plain `def` dependencies in a
worker thread, a hop that cost more than the work on our fastest routes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Cookie, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from echotune.accounts.connections import SpotifyConnections
from echotune.accounts.login import LoginService
from echotune.accounts.sessions import SESSION_COOKIE
from echotune.catalog.service import CatalogService
from echotune.chat.service import ChatService
from echotune.errors import Unauthorized
from echotune.listening.service import HistoryService
from echotune.llm.router.status import ProviderStatus
from echotune.observability.health import HealthService
from echotune.playback.service import PlaybackService
from echotune.playlists.spotify_push import PlaylistPushService
from echotune.recommend.personal.service import PersonalRecommendationService
from echotune.recommend.service import DiscoveryService
from echotune.sync.jobs import SyncJobs
from echotune.users.models import User
from echotune.wiring import Services

_bearer = HTTPBearer(auto_error=False, description="An EchoTune API token")


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_catalog(services: ServicesDep) -> CatalogService:
    return services.catalog


async def get_discovery(services: ServicesDep) -> DiscoveryService:
    return services.discovery


async def get_personal(services: ServicesDep) -> PersonalRecommendationService:
    return services.personal


async def get_health(services: ServicesDep) -> HealthService:
    return services.health


async def get_history(services: ServicesDep) -> HistoryService:
    return services.history


async def get_login(services: ServicesDep) -> LoginService:
    return services.login


async def get_connections(services: ServicesDep) -> SpotifyConnections:
    return services.connections


async def get_sync_jobs(services: ServicesDep) -> SyncJobs:
    return services.sync_jobs


async def get_playback(services: ServicesDep) -> PlaybackService:
    return services.playback


async def get_playlist_push(services: ServicesDep) -> PlaylistPushService:
    return services.playlist_push


async def get_chat(services: ServicesDep) -> ChatService:
    return services.chat


async def get_llm_status(services: ServicesDep) -> Callable[[], list[ProviderStatus]]:
    return services.llm.router.describe


async def get_api_base(request: Request) -> str:
    """The /v1 base URL as the caller reached us, for hrefs in Spotify objects."""
    return str(request.base_url).rstrip("/") + "/v1"


SessionCookie = Annotated[
    str | None, Cookie(alias=SESSION_COOKIE, include_in_schema=False)
]


async def get_current_user(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: SessionCookie = None,
) -> User:
    """The caller: a bearer API token, or else the session cookie of a Spotify login."""
    if credentials is not None and credentials.scheme.lower() == "bearer":
        return await services.users.authenticate(credentials.credentials)
    if session:
        return await services.sessions.authenticate(session)
    raise Unauthorized("No token provided")


async def get_optional_user(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: SessionCookie = None,
) -> User | None:
    try:
        return await get_current_user(services, credentials, session)
    except Unauthorized:
        return None


CatalogDep = Annotated[CatalogService, Depends(get_catalog)]
DiscoveryDep = Annotated[DiscoveryService, Depends(get_discovery)]
HealthDep = Annotated[HealthService, Depends(get_health)]
HistoryDep = Annotated[HistoryService, Depends(get_history)]
PersonalDep = Annotated[PersonalRecommendationService, Depends(get_personal)]
ApiBase = Annotated[str, Depends(get_api_base)]
CurrentUser = Annotated[User, Depends(get_current_user)]
OptionalUser = Annotated[User | None, Depends(get_optional_user)]
LoginDep = Annotated[LoginService, Depends(get_login)]
ConnectionsDep = Annotated[SpotifyConnections, Depends(get_connections)]
SyncJobsDep = Annotated[SyncJobs, Depends(get_sync_jobs)]
PlaybackDep = Annotated[PlaybackService, Depends(get_playback)]
PlaylistPushDep = Annotated[PlaylistPushService, Depends(get_playlist_push)]
ChatDep = Annotated[ChatService, Depends(get_chat)]
LlmStatusDep = Annotated[Callable[[], list[ProviderStatus]], Depends(get_llm_status)]
