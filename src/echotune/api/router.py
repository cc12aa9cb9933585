"""The whole URL map in one file: each router carries its own prefix, so the
route templates in metrics and logs are the full paths."""

from __future__ import annotations

from fastapi import FastAPI

from echotune.api.routes import (
    auth,
    catalog,
    chat,
    health,
    me_history,
    me_recommendations,
    me_spotify,
    recommendations,
)


def mount_routes(app: FastAPI) -> None:
    app.include_router(health.router)
    app.include_router(catalog.router)
    app.include_router(recommendations.router)
    app.include_router(me_recommendations.router)
    app.include_router(me_history.router)
    app.include_router(me_spotify.router)
    app.include_router(auth.router)
    app.include_router(chat.router)
