"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from echotune.api.deps import HealthDep, ServicesDep
from echotune.observability.health import LiveReport, ReadyReport

router = APIRouter(tags=["operations"])


@router.get("/health/live", response_model=LiveReport)
async def live(health: HealthDep) -> LiveReport:
    return health.live()


@router.get("/health/ready", response_model=ReadyReport, responses={503: {"model": ReadyReport}})
async def ready(health: HealthDep) -> JSONResponse:
    report = await health.ready()
    return JSONResponse(report.model_dump(mode="json"), status_code=200 if report.ready else 503)


@router.get("/metrics", response_class=Response)
async def metrics(services: ServicesDep) -> Response:
    return Response(services.metrics.render(), media_type=CONTENT_TYPE_LATEST)
