"""The plumbing every vendor fake shares, as a raw ASGI app (raw, so a stream can be cut
after N chunks exactly like a dropped connection): request recording, the fault script
(delay, status, malformed body, mid-stream cut), and the scripted brain.

A vendor subclass says which path it answers and how a reply, an error and a malformed
answer look on its wire.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from tests.fakes.llm.faults import Fault, Faults
from tests.fakes.llm.script import Reply, Script

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

SSE = "text/event-stream; charset=utf-8"
JSON = "application/json"

# A deliberate cut makes uvicorn log "returned without completing response"; it is the
# point of the fault, not a bug in the fake, so that one record is dropped.
_cutting: contextvars.ContextVar[bool] = contextvars.ContextVar("llm_fake_cutting", default=False)


class _DropDeliberateCuts(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _cutting.get()


_uvicorn_log = logging.getLogger("uvicorn.error")
if not any(isinstance(f, _DropDeliberateCuts) for f in _uvicorn_log.filters):
    _uvicorn_log.addFilter(_DropDeliberateCuts())


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass(frozen=True)
class Answer:
    """What to send: `chunks` are written one by one (SSE events, or one JSON body)."""

    status: int
    content_type: str
    chunks: list[bytes]
    headers: dict[str, str]


class FakeVendor:
    """The ASGI app and the handle a test scripts and inspects."""

    path = "/"
    api_prefix = ""  # what the SDK's base_url adds to the server root

    def __init__(self) -> None:
        self.script = Script()
        self.faults = Faults()
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self.server_url = ""

    @property
    def base_url(self) -> str:
        return self.server_url + self.api_prefix

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def last_request(self) -> RecordedRequest:
        requests = self.requests
        assert requests, "the fake received no request"
        return requests[-1]

    def reset(self) -> None:
        self.script.clear()
        self.faults.clear()
        with self._lock:
            self._requests.clear()

    # What a vendor subclass provides.
    def error_body(self, status: int, message: str) -> dict[str, Any]:
        raise NotImplementedError

    def last_user_text(self, body: dict[str, Any]) -> str:
        raise NotImplementedError

    def render(self, body: dict[str, Any], reply: Reply) -> Answer:
        raise NotImplementedError

    def malformed(self, stream: bool) -> Answer:
        raise NotImplementedError

    # The ASGI app.
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        raw = await _read_body(receive)
        if scope["method"] != "POST" or scope["path"] != self.path:
            await _send(send, self._error(404, f"no route for {scope['method']} {scope['path']}"))
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            await _send(send, self._error(400, "the request body is not JSON"))
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        with self._lock:
            self._requests.append(RecordedRequest("POST", scope["path"], headers, body))
        fault = self.faults.take()
        if fault is not None and fault.delay and await _client_left(receive, fault.delay):
            return
        answer = self._answer(body, fault)
        if fault is not None and fault.headers:
            answer = Answer(answer.status, answer.content_type, answer.chunks,
                            {**answer.headers, **fault.headers})
        await _send(send, answer, None if fault is None else fault.cut_after_chunks)

    def _answer(self, body: dict[str, Any], fault: Fault | None) -> Answer:
        stream = body.get("stream") is True
        if fault is not None and fault.status is not None and fault.status >= 400:
            if fault.body is None:
                return self._error(fault.status, f"scripted failure {fault.status}")
            return _as_answer(fault.status, fault.body)
        if fault is not None and fault.malformed:
            return self.malformed(stream)
        if fault is not None and fault.body is not None:
            return _as_answer(fault.status or 200, fault.body)
        return self.render(body, self.script.next(self.last_user_text(body)))

    def _error(self, status: int, message: str) -> Answer:
        return _as_answer(status, self.error_body(status, message))


def _as_answer(status: int, body: object) -> Answer:
    data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    return Answer(status, JSON, [data], {})


async def _read_body(receive: Receive) -> bytes:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(parts)


async def _client_left(receive: Receive, seconds: float) -> bool:
    """Wait `seconds` (a slow vendor); True if the client gave up meanwhile."""
    try:
        async with asyncio.timeout(seconds):
            while (await receive())["type"] != "http.disconnect":
                pass
            return True
    except TimeoutError:
        return False


async def _send(send: Send, answer: Answer, cut_after: int | None = None) -> None:
    headers = [(b"content-type", answer.content_type.encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in answer.headers.items()]
    chunks = answer.chunks
    if cut_after is not None and answer.content_type == JSON and chunks:
        # A JSON body is one chunk: cut it in the middle instead.
        half = len(chunks[0]) // 2
        chunks, cut_after = [chunks[0][:half], chunks[0][half:]], 1
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    for index, chunk in enumerate(chunks):
        if cut_after is not None and index >= cut_after:
            _cutting.set(True)
            return  # uvicorn closes the connection mid-body, as a dropped link would
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})
