"""How a /v1 handler is written: it gets a `Call`, returns a `Reply` or raises `ApiError`.

The wrapper checks the token's scope, checks the body against the spec (see validate.py)
and adds ETag / Cache-Control to GET answers, answering 304 to a matching If-None-Match.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.spotify.context import FakeContext
from tests.fakes.spotify.faults import error_body
from tests.fakes.spotify.render import Renderer
from tests.fakes.spotify.state import FakeState, Library, User
from tests.fakes.spotify.tokens import AccessToken
from tests.fakes.spotify.validate import spec_mismatch


class ApiError(Exception):
    def __init__(self, status: int, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.reason = status, message, reason


@dataclass
class Reply:
    body: object = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class Call:
    """One authenticated /v1 request, with the parsing helpers every handler needs."""

    def __init__(self, request: Request, ctx: FakeContext, access: AccessToken) -> None:
        self.request, self.ctx, self.access = request, ctx, access

    @property
    def state(self) -> FakeState:
        return self.ctx.state

    @property
    def user(self) -> User:
        return self.state.users[self.access.user_id]

    @property
    def lib(self) -> Library:
        return self.state.library(self.access.user_id)

    @property
    def dev(self) -> bool:
        return self.state.api_mode == "development"

    @cached_property
    def render(self) -> Renderer:
        return Renderer(self.state, str(self.request.base_url).rstrip("/") + "/v1", self.dev)

    def path(self, name: str) -> str:
        return str(self.request.path_params[name])

    def param(self, name: str) -> str | None:
        return self.request.query_params.get(name)

    def int_param(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.param(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ApiError(400, f"Invalid {name}") from None
        if not low <= value <= high:
            raise ApiError(400, f"Invalid {name}")
        return value

    def csv(self, name: str, maximum: int, required: bool = True) -> list[str]:
        raw = self.param(name)
        if raw is None or raw == "":
            if required:
                raise ApiError(400, f"Missing required parameter: {name}")
            return []
        values = [v.strip() for v in raw.split(",") if v.strip()]
        if len(values) > maximum:
            raise ApiError(400, f"Too many {name} requested")
        return values

    async def body(self) -> dict[str, object]:
        raw = await self.request.body()
        if not raw:
            return {}
        try:
            data = json.loads(raw)
        except ValueError:
            raise ApiError(400, "Error parsing JSON.") from None
        if not isinstance(data, dict):
            raise ApiError(400, "Error parsing JSON.")
        return data


Handler = Callable[[Call], Awaitable[Reply]]


class Router:
    """Collects routes under /v1; `path` is the spec's path template (so it is validated)."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def route(
        self, method: str, path: str, scope: str | None = None
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            async def endpoint(request: Request) -> Response:
                ctx: FakeContext = request.app.state.fake
                access: AccessToken = request.scope["state"]["access"]
                try:
                    if scope is not None and scope not in access.scope.split():
                        raise ApiError(403, "Insufficient client scope")
                    reply = await handler(Call(request, ctx, access))
                except ApiError as error:
                    reply = Reply(
                        error_body(error.status, error.message, error.reason), error.status
                    )
                return respond(request, ctx, path, method, reply)

            self.routes.append(Route("/v1" + path, endpoint, methods=[method]))
            return handler

        return register


def respond(request: Request, ctx: FakeContext, path: str, method: str, reply: Reply) -> Response:
    status, body = reply.status, reply.body
    problem = spec_mismatch(path, method, status, body) if ctx.validate else None
    if problem is not None:
        ctx.log.spec_errors.append(problem)
        status = 500
        body = error_body(500, f"fake spotify: response does not match the spec: {problem}")
    if body is None:
        return Response(status_code=status, headers=reply.headers)
    content = json.dumps(body, separators=(",", ":")).encode()
    headers = dict(reply.headers)
    if method == "GET" and status == 200:
        etag = '"' + hashlib.blake2b(content, digest_size=12).hexdigest() + '"'
        headers.update({"ETag": etag, "Cache-Control": ctx.state.cache_control})
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
    return Response(content, status, headers, media_type="application/json; charset=utf-8")
