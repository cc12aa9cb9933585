"""create_app(settings) -> the ASGI app: FastAPI with the API, health and docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from threadpoolctl import threadpool_limits

from echotune import __version__
from echotune.api.errors import install_error_handlers
from echotune.api.middleware import RequestContextMiddleware
from echotune.api.router import mount_routes
from echotune.observability.metrics import Metrics
from echotune.realtime.chat_namespace import socketio_app, socketio_server
from echotune.settings import Settings
from echotune.wiring import Services, bootstrap_catalog, build_services


def create_app(settings: Settings) -> FastAPI:
    # Per-request products are tiny (one query against the catalog): with more
    # than one BLAS thread they spend ~60x longer synchronising than computing.
    threadpool_limits(limits=settings.blas_threads, user_api="blas")
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await build_services(settings, metrics)
        app.state.services = services
        try:
            await bootstrap_catalog(services)
            services.background_sync.start()
            services.llm.warm_up()
            yield
        finally:
            await services.close()

    app = FastAPI(
        title="EchoTune",
        version=__version__,
        description="Music discovery from your listening history, with a "
        "Spotify-compatible /v1 API served from the bundled catalog.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    mount_routes(app)

    def services() -> Services:
        found: Services = app.state.services
        return found

    redis_url = settings.redis_url.get_secret_value() if settings.redis_url else None
    app.mount("/socket.io", socketio_app(socketio_server(services, redis_url)))
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    return app
