"""The outermost layer: log every request, then the window limiter, fault rules and the
bearer-token check, in that order, before the routes see anything.

It wraps the app as plain ASGI so that it holds uvicorn's own `send`: a disconnect fault
closes that connection's transport, which no framework layer can do.
"""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tests.fakes.spotify.context import FakeContext
from tests.fakes.spotify.faults import FaultRule, error_body
from tests.fakes.spotify.log import LoggedRequest


def _bearer(scope: Scope) -> str | None:
    for key, value in scope["headers"]:
        if key == b"authorization":
            kind, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if kind.lower() == "bearer" and token.strip() else None
    return None


async def send_json(
    send: Send, status: int, body: object, headers: dict[str, str] | None = None
) -> None:
    raw = (
        body
        if isinstance(body, bytes)
        else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
    )
    kind = (
        b"application/json; charset=utf-8"
        if not isinstance(body, (str, bytes))
        else (b"text/plain; charset=utf-8")
    )
    pairs = [(b"content-type", kind), (b"content-length", str(len(raw)).encode())]
    pairs += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": pairs})
    await send({"type": "http.response.body", "body": raw})


async def abort_connection(send: Send) -> None:
    """Drop the TCP connection under uvicorn, then wait until uvicorn has noticed it."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise RuntimeError("a disconnect fault needs the fake served by uvicorn")
    transport.abort()
    for _ in range(100):
        if getattr(cycle, "disconnected", False):
            return
        await asyncio.sleep(0)


class FakeSpotifyMiddleware:
    def __init__(self, app: ASGIApp, ctx: FakeContext) -> None:
        self.app, self.ctx = app, ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        params = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
        entry = self.ctx.log.add(
            LoggedRequest(method, path, params, _bearer(scope), time.monotonic())
        )

        async def recording(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry.status = message["status"]
            await send(message)

        limiter = self.ctx.faults.limiter
        if path.startswith("/v1/") and limiter is not None:
            retry_after = limiter.admit()
            if retry_after is not None:
                entry.fault = "window"
                await send_json(recording, 429, error_body(429), {"Retry-After": str(retry_after)})
                return
        rule = self.ctx.faults.take(method, path)
        if rule is not None and await self._apply(rule, entry, scope, receive, send, recording):
            return
        await self._serve(scope, receive, recording)

    async def _apply(
        self,
        rule: FaultRule,
        entry: LoggedRequest,
        scope: Scope,
        receive: Receive,
        raw_send: Send,
        send: Send,
    ) -> bool:
        """True when the rule answered (or dropped) the request itself."""
        if rule.delay:
            entry.fault = "delay"
            if not await self._sleep(rule.delay):
                await abort_connection(raw_send)  # reset while sleeping: nobody is waiting
                return True
        if rule.disconnect:
            entry.fault = "disconnect"
            if rule.after_processing:
                await self._serve(scope, receive, _swallow)
            await abort_connection(raw_send)
            return True
        if rule.status is None:
            return False
        entry.fault = "rule"
        body = error_body(rule.status) if rule.body is None else rule.body
        await send_json(send, rule.status, body, rule.headers)
        return True

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"].startswith("/v1/"):
            problem = self._authenticate(scope)
            if problem is not None:
                await send_json(send, 401, error_body(401, problem))
                return
        await self.app(scope, receive, send)

    def _authenticate(self, scope: Scope) -> str | None:
        token = _bearer(scope)
        if token is None:
            return "No token provided"
        access = self.ctx.state.tokens.access.get(token)
        if access is None:
            return "Invalid access token"
        if access.expires_at <= time.time():
            return "The access token expired"
        scope.setdefault("state", {})["access"] = access
        return None

    async def _sleep(self, seconds: float) -> bool:
        """False when the test reset the fake meanwhile (so the answer is not wanted)."""
        generation = self.ctx.faults.generation
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if generation != self.ctx.faults.generation:
                return False
            await asyncio.sleep(min(left, 0.05))
        return True


async def _swallow(message: Message) -> None:
    """The answer to a request whose connection is about to be dropped goes nowhere."""
