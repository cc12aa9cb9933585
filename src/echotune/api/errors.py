"""The one place where errors become HTTP responses.

Every error body uses Spotify's error object, `{"error": {"status", "message"}}`,
so Spotify clients raise their usual exceptions on our errors too.
"""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from echotune.errors import EchotuneError, RateLimited, Unauthorized

log = structlog.get_logger("echotune.api")


def error_response(
    status: int, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"status": status, "message": message}}, status_code=status, headers=headers
    )


async def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, EchotuneError)
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(max(1, round(exc.retry_after)))
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="echotune"'
    return error_response(exc.status_code, exc.message, headers)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "body", "path"))
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg")))
    return error_response(400, "Invalid request: " + "; ".join(parts))


async def _model_error(_: Request, exc: Exception) -> JSONResponse:
    # A service built a request model from the caller's input and it did not validate.
    assert isinstance(exc, ValidationError)
    parts = [
        f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" if err["loc"] else err["msg"]
        for err in exc.errors()
    ]
    return error_response(400, "Invalid request: " + "; ".join(parts))


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = {404: "Service not found", 405: "Method not allowed"}.get(
        exc.status_code, str(exc.detail)
    )
    return error_response(exc.status_code, message, dict(exc.headers or {}))


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # Anything not raised on purpose is a bug: log it with its traceback, and
    # answer in the same error shape without leaking internals.
    log.error("unhandled_error", path=request.url.path, exc_info=exc)
    return error_response(500, "Internal server error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Exception, _unexpected_error)
    app.add_exception_handler(EchotuneError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ValidationError, _model_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
