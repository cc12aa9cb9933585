"""A loopback fake of the Gemini Developer API, speaking its REST wire format as the
google-genai SDK calls it with a custom base_url:

    POST /{version}/models/{model}:generateContent
    POST /{version}/models/{model}:streamGenerateContent?alt=sse

    fake.reply("Here are three upbeat tracks.")               # next answer: text
    fake.reply_calls(FakeCall("recommend", {"mood": "upbeat"}))  # next answer: a call
    fake.faults.add(status=503)                                # next request: a 503
    fake.requests[-1].body["tools"]                            # what the SDK sent

With the script empty the fake echoes the last user text. Faults (faults.py): `status`
(Google's error JSON, or `body`), `headers`, `delay` (then the normal answer; returns
early when the client gives up), `malformed` (200 that is not JSON), `cut_after_chunks`
(streams: drop the TCP connection after that many chunks; a plain call: no answer).
`api_key`, when set, is the only key accepted (others get Google's 400 API_KEY_INVALID).
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections import deque
from typing import Any
from urllib.parse import parse_qsl

from tests.fakes.llm.faults import Fault, Faults
from tests.fakes.llm.gemini_wire import (
    FakeCall,
    FakeReply,
    GeminiRequest,
    error_body,
    render_chunks,
    render_response,
    sse,
)

Scope = dict[str, Any]
Receive = Any
Send = Any

_ROUTE = re.compile(
    r"^/(?P<version>v1(?:alpha|beta)?\d*)/models/(?P<model>[^/:]+)"
    r":(?P<method>generateContent|streamGenerateContent)$"
)


class FakeGemini:
    def __init__(self) -> None:
        self.base_url = ""
        self.faults = Faults()
        self.requests: list[GeminiRequest] = []
        self.api_key: str | None = None
        self._replies: deque[FakeReply] = deque()
        self._lock = threading.Lock()

    def reply(self, text: str = "", *, calls: tuple[FakeCall, ...] = (), **options: Any) -> None:
        """Queue the next answer; `options` are FakeReply's other fields."""
        self.queue(FakeReply(text=text, calls=calls, **options))

    def reply_calls(self, *calls: FakeCall, text: str = "") -> None:
        self.queue(FakeReply(text=text, calls=calls))

    def queue(self, *replies: FakeReply) -> None:
        with self._lock:
            self._replies.extend(replies)

    def reset(self) -> None:
        with self._lock:
            self._replies.clear()
            self.requests.clear()
        self.faults.clear()
        self.api_key = None

    @property
    def last_request(self) -> GeminiRequest:
        return self.requests[-1]

    def _next_reply(self, request: GeminiRequest) -> FakeReply:
        with self._lock:
            if self._replies:
                return self._replies.popleft()
        return FakeReply(text=f"Gemini heard: {request.last_user_text()}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        raw = await _read_body(receive)
        route = _ROUTE.match(scope["path"])
        if scope["method"] != "POST" or route is None:
            await _send_json(send, 404, error_body(404, f"no route for {scope['path']}"))
            return
        request = _record(scope, route, raw)
        with self._lock:
            self.requests.append(request)
        if self.api_key is not None and request.api_key != self.api_key:
            await _send_json(send, 400, error_body(400, "API key not valid. API_KEY_INVALID"))
            return
        fault = self.faults.take()
        if fault is not None and fault.delay and await _client_gone(receive, fault.delay):
            return
        reply = self._next_reply(request)
        prompt_tokens = max(1, len(raw) // 4)
        if fault is not None and await _apply(fault, request, reply, prompt_tokens, send):
            return
        if request.stream:
            await _stream(send, render_chunks(reply, prompt_tokens), request)
        else:
            await _send_json(send, 200, render_response(reply, prompt_tokens))


async def _apply(
    fault: Fault, request: GeminiRequest, reply: FakeReply, prompt_tokens: int, send: Send
) -> bool:
    """Act out the fault; False when the normal answer should follow (a bare delay)."""
    status = fault.status or (200 if fault.body is not None else None)
    if status is not None:
        body = fault.body if fault.body is not None else error_body(status, "injected fault")
        await _send_json(send, status, body, fault.headers)
        return True
    if fault.malformed:
        if request.stream:
            await _start(send, 200, "text/event-stream", fault.headers)
            await send({"type": "http.response.body", "body": b"data: {not json\r\n\r\n"})
        else:
            await _send_json(send, 200, b"{not json", fault.headers)
        return True
    if fault.cut_after_chunks is not None:
        if request.stream:
            chunks = render_chunks(reply, prompt_tokens)[: fault.cut_after_chunks]
            await _stream(send, chunks, request, final=False)
        await _abort(send)
        return True
    return False


def _record(scope: Scope, route: re.Match[str], raw: bytes) -> GeminiRequest:
    try:
        body: Any = json.loads(raw) if raw else None
    except ValueError:
        body = None
    query = dict(parse_qsl(scope["query_string"].decode("latin-1")))
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
    return GeminiRequest(
        path=scope["path"],
        version=route["version"],
        model=route["model"],
        method=route["method"],
        query=query,
        headers=headers,
        body=body,
    )


async def _read_body(receive: Receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += bytes(message.get("body", b""))
        if not message.get("more_body"):
            return body


async def _client_gone(receive: Receive, seconds: float) -> bool:
    """Wait `seconds`; True as soon as the client disconnects (it timed out)."""

    async def disconnected() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    try:
        await asyncio.wait_for(disconnected(), seconds)
    except TimeoutError:
        return False
    return True


async def _start(send: Send, status: int, kind: str, headers: dict[str, str]) -> None:
    pairs = [(b"content-type", kind.encode())]
    pairs += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": pairs})


async def _send_json(
    send: Send, status: int, body: object, headers: dict[str, str] | None = None
) -> None:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    await _start(send, status, "application/json; charset=UTF-8", headers or {})
    await send({"type": "http.response.body", "body": raw})


async def _stream(
    send: Send, chunks: list[dict[str, Any]], request: GeminiRequest, final: bool = True
) -> None:
    if request.query.get("alt") != "sse":  # without alt=sse Gemini streams one JSON array
        await _send_json(send, 200, chunks)
        return
    await _start(send, 200, "text/event-stream", {})
    for chunk in chunks:
        await send({"type": "http.response.body", "body": sse(chunk), "more_body": True})
        await asyncio.sleep(0)
    if final:
        await send({"type": "http.response.body", "body": b""})


async def _abort(send: Send) -> None:
    """Drop the TCP connection under uvicorn, then wait until uvicorn has noticed."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise RuntimeError("a cut fault needs the fake served by uvicorn")
    for _ in range(100):  # let the chunks already sent reach the socket first
        if not transport.get_write_buffer_size():
            break
        await asyncio.sleep(0.001)
    transport.abort()
    for _ in range(100):
        if getattr(cycle, "disconnected", False):
            return
        await asyncio.sleep(0)
