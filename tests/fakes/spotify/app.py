"""The fake Spotify as one ASGI app: accounts routes, /v1 routes, and the fault middleware."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from tests.fakes.spotify import app_accounts, app_catalog, app_library, app_player, app_playlists
from tests.fakes.spotify.context import FakeContext
from tests.fakes.spotify.faults import error_body
from tests.fakes.spotify.middleware import FakeSpotifyMiddleware


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and methods answer in the Web API's error format, like Spotify."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    message = "Service not found" if status == 404 else "Method not allowed"
    return JSONResponse(error_body(status, message), status)


def build_app(ctx: FakeContext) -> ASGIApp:
    routes = [*app_accounts.routes]
    for module in (app_library, app_playlists, app_player, app_catalog):
        routes += module.router.routes
    app = Starlette(routes=routes, exception_handlers={404: _http_error, 405: _http_error})
    app.state.fake = ctx
    return FakeSpotifyMiddleware(app, ctx)
