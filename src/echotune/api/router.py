"""The whole URL map in one file."""

from __future__ import annotations

from fastapi import FastAPI

from echotune.api.routes import catalog, health, recommendations


def mount_routes(app: FastAPI) -> None:
    app.include_router(health.router)
    app.include_router(catalog.router, prefix="/v1")
    app.include_router(recommendations.router, prefix="/v1")
