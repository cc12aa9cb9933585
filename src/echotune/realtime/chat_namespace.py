"""Namespace /chat: the same chat as POST /api/v1/chat with `stream`, over Socket.IO.

Connect with `auth={"token": "<API token>"}` (or the session cookie). Emit
`message` with `{"message", "conversation_id"?, "provider"?, "policy"?}`; the
server emits `delta`, `tool`, `done` and `error` events, the payloads of the
SSE stream's events.
"""

from __future__ import annotations

from collections.abc import Callable
from http.cookies import SimpleCookie

import socketio
from pydantic import ValidationError

from echotune.accounts.sessions import SESSION_COOKIE
from echotune.chat.views import ChatInput
from echotune.errors import EchotuneError, Unauthorized
from echotune.users.models import User
from echotune.wiring import Services

NAMESPACE = "/chat"


class ChatNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    def __init__(self, services: Callable[[], Services]) -> None:
        super().__init__(NAMESPACE)
        self._services = services

    async def on_connect(self, sid: str, environ: dict[str, object], auth: object = None) -> None:
        try:
            user = await self._authenticate(environ, auth)
        except Unauthorized as exc:
            raise socketio.exceptions.ConnectionRefusedError(exc.message) from None
        await self.save_session(sid, {"user": user.model_dump(mode="json")})

    async def _authenticate(self, environ: dict[str, object], auth: object) -> User:
        services = self._services()
        token = auth.get("token") if isinstance(auth, dict) else None
        if isinstance(token, str) and token:
            return await services.users.authenticate(token.removeprefix("Bearer ").strip())
        cookie = SimpleCookie(str(environ.get("HTTP_COOKIE", "")))
        if SESSION_COOKIE in cookie:
            return await services.sessions.authenticate(cookie[SESSION_COOKIE].value)
        raise Unauthorized("Connect with auth={'token': '<API token>'} or a session cookie")

    async def on_message(self, sid: str, data: object) -> None:
        session = await self.get_session(sid)
        user = User.model_validate(session["user"])
        try:
            chat = ChatInput.model_validate({**(data if isinstance(data, dict) else
                                                {"message": data}), "stream": True})  # fmt: skip
        except ValidationError as exc:
            await self.emit("error", {"event": "error", "status": 400,
                                      "message": str(exc.errors()[0]["msg"])}, to=sid)  # fmt: skip
            return
        try:
            async for event in self._services().chat.stream(user, chat):
                await self.emit(event.event, event.model_dump(mode="json", exclude_none=True), to=sid)
        except EchotuneError as exc:
            await self.emit("error", {"event": "error", "status": exc.status_code,
                                      "message": exc.message}, to=sid)  # fmt: skip


def socketio_server(services: Callable[[], Services], redis_url: str | None) -> socketio.AsyncServer:
    manager = socketio.AsyncRedisManager(redis_url) if redis_url else None
    server = socketio.AsyncServer(
        async_mode="asgi", cors_allowed_origins=[], client_manager=manager, logger=False,
        engineio_logger=False,
    )  # fmt: skip
    server.register_namespace(ChatNamespace(services))
    return server


def socketio_app(server: socketio.AsyncServer) -> socketio.ASGIApp:
    # Mounted at /socket.io by the app: every request that reaches it is Socket.IO's.
    return socketio.ASGIApp(server, socketio_path=None)
