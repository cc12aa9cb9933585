"""What the vendor adapters share: the HTTP-status-to-error mapping, Retry-After parsing,
tool-argument parsing, secret scrubbing, and the stream guard that decides between a
retryable error and StreamInterrupted."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncGenerator, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from echotune.llm.errors import (
    MalformedResponse,
    ProviderError,
    ProviderRateLimited,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
    StreamInterrupted,
)
from echotune.llm.types import JSONValue, Message, StreamEvent, ToolCall

# Local servers (Ollama, vLLM) need no key, but the SDKs refuse to start without one and
# would otherwise go looking in the environment: configuration is explicit here.
NO_API_KEY = "no-key"
_MAX_DETAIL = 200


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait, from `retry-after-ms`, `retry-after` in seconds, or an HTTP date."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(float(millis) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def scrub(text: str, secret: str | None) -> str:
    """Error text may echo request headers; the key must never reach a log or a user."""
    if secret and secret != NO_API_KEY:
        text = text.replace(secret, "***")
    return text[:_MAX_DETAIL]


def vendor_detail(body: object) -> str:
    """The human part of a vendor error body: `{"error": {"message": ...}}` or `{"message": ...}`."""
    if isinstance(body, Mapping):
        inner = body.get("error")
        if isinstance(inner, Mapping):
            body = inner
        message = body.get("message")
        if isinstance(message, str):
            return message
    return ""


def error_for_status(
    provider: str, status: int, detail: str, headers: Mapping[str, str]
) -> ProviderError:
    message = f"HTTP {status}" + (f": {detail}" if detail else "")
    if status == 429:
        return ProviderRateLimited(provider, message, retry_after(headers))
    if status == 408:
        return ProviderTimeout(provider, message, status)
    if 400 <= status < 500:
        return ProviderRejected(provider, message, status)
    # 5xx, and errors a vendor reports inside a 200 stream (`event: error`).
    return ProviderUnavailable(provider, message, status)


def parse_arguments(provider: str, raw: str) -> dict[str, JSONValue]:
    """A tool call's arguments as a JSON object; models do produce broken JSON."""
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise MalformedResponse(provider, f"tool arguments are not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise MalformedResponse(provider, "tool arguments are not a JSON object")
    return value


@dataclass
class PendingCall:
    """A streamed tool call whose arguments are still arriving in fragments."""

    id: str = ""
    name: str = ""
    fragments: list[str] = field(default_factory=list)

    def complete(self, provider: str, fallback_id: str) -> ToolCall:
        arguments = parse_arguments(provider, "".join(self.fragments))
        return ToolCall(self.id or fallback_id, self.name, arguments)


def require_tool_call_id(provider: str, message: Message) -> str:
    if not message.tool_call_id:
        raise ProviderRejected(provider, "a tool message needs the tool_call_id it answers")
    return message.tool_call_id


Translate = Callable[[Exception], ProviderError | None]


async def guard_stream(
    provider: str, events: AsyncGenerator[StreamEvent, None], translate: Translate
) -> AsyncGenerator[StreamEvent, None]:
    """Vendor errors become ours. Before the first event the failure is retryable (the
    router may fail over); after it the caller has shown part of an answer, so it gets
    StreamInterrupted and the router never splices another model's answer on."""
    started = False
    async with aclosing(events):
        try:
            async for event in events:
                started = True
                yield event
        except Exception as exc:
            error = exc if isinstance(exc, ProviderError) else translate(exc)
            if error is None:
                raise
            if started:
                detail = error.message.removeprefix(f"{provider}: ")
                raise StreamInterrupted(provider, f"stream broke: {detail}") from exc
            if error is exc:
                raise
            raise error from exc
