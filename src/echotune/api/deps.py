"""Dependency injection for routes, as Annotated aliases in one file.

Every dependency is `async def`: FastAPI runs plain `def` dependencies in a
worker thread, a hop that cost more than the work on our fastest routes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from echotune.catalog.service import CatalogService
from echotune.errors import Unauthorized
from echotune.listening.service import HistoryService
from echotune.observability.health import HealthService
from echotune.recommend.personal.service import PersonalRecommendationService
from echotune.recommend.service import DiscoveryService
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


async def get_api_base(request: Request) -> str:
    """The /v1 base URL as the caller reached us, for hrefs in Spotify objects."""
    return str(request.base_url).rstrip("/") + "/v1"


async def get_current_user(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("No token provided")
    return await services.users.authenticate(credentials.credentials)


CatalogDep = Annotated[CatalogService, Depends(get_catalog)]
DiscoveryDep = Annotated[DiscoveryService, Depends(get_discovery)]
HealthDep = Annotated[HealthService, Depends(get_health)]
HistoryDep = Annotated[HistoryService, Depends(get_history)]
PersonalDep = Annotated[PersonalRecommendationService, Depends(get_personal)]
ApiBase = Annotated[str, Depends(get_api_base)]
CurrentUser = Annotated[User, Depends(get_current_user)]
