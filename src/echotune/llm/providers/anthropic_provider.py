"""Anthropic's Messages API through the official SDK, imported when the first adapter is
built: `import anthropic` takes about 2.4 s, which a deployment without an Anthropic key
should never pay."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING

from echotune.llm.errors import (
    MalformedResponse,
    ProviderError,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
)
from echotune.llm.provider import ProviderConfig
from echotune.llm.providers.anthropic_wire import (
    EventAssembler,
    from_message,
    to_anthropic_messages,
    to_anthropic_tools,
)
from echotune.llm.providers.common import (
    NO_API_KEY,
    error_for_status,
    guard_stream,
    scrub,
    vendor_detail,
)
from echotune.llm.types import ChatRequest, ChatResponse, StreamEnd, StreamEvent

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic

# The status an error event inside a 200 stream stands for, by its `error.type`.
_EVENT_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "overloaded_error": 529,
}


def _event_status(body: object) -> int:
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return _EVENT_STATUS.get(str(error.get("type")), 500)
    return 500


class AnthropicProvider:
    """Retries and failover are the router's job: the SDK makes exactly one attempt.
    `ChatRequest.temperature` is not sent: the Messages API this SDK speaks has no such
    parameter any more (the models choose their own sampling)."""

    def __init__(self, config: ProviderConfig) -> None:
        from anthropic import AsyncAnthropic

        self._config = config
        self._client: AsyncAnthropic = AsyncAnthropic(
            api_key=config.api_key or NO_API_KEY,
            base_url=config.base_url,
            max_retries=0,
            timeout=config.timeout,
        )

    @property
    def config(self) -> ProviderConfig:
        return self._config

    async def complete(self, request: ChatRequest) -> ChatResponse:
        name = self._config.name
        system, messages = to_anthropic_messages(name, request.messages)
        try:
            from anthropic import omit
            from anthropic.types import Message

            message = await self._client.messages.create(
                model=self._config.model,
                max_tokens=request.max_tokens,
                messages=messages,
                system=system or omit,
                tools=to_anthropic_tools(request.tools) if request.tools else omit,
                )
            if not isinstance(message, Message):
                raise MalformedResponse(name, "the answer is not a message")
            return from_message(name, message)
        except ProviderError:
            raise
        except Exception as exc:
            error = self._translate(exc)
            if error is None:
                raise
            raise error from exc

    def stream(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        # A generator, so a caller that stops early can `aclose()` it and free the connection.
        return guard_stream(self._config.name, self._events(request), self._translate)

    async def _events(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        from anthropic import omit

        name = self._config.name
        system, messages = to_anthropic_messages(name, request.messages)
        events = await self._client.messages.create(
            model=self._config.model,
            max_tokens=request.max_tokens,
            messages=messages,
            system=system or omit,
            tools=to_anthropic_tools(request.tools) if request.tools else omit,
            stream=True,
        )
        assembler = EventAssembler(name, self._config.model)
        async with events:
            async for event in events:
                for ours in assembler.feed(event):
                    yield ours
        yield StreamEnd(assembler.response())

    def _translate(self, exc: Exception) -> ProviderError | None:
        import anthropic
        import httpx2

        name, key = self._config.name, self._config.api_key
        if isinstance(exc, anthropic.APITimeoutError | httpx2.TimeoutException):
            return ProviderTimeout(name, f"no answer within {self._config.timeout:g} s")
        if isinstance(exc, anthropic.APIConnectionError | httpx2.TransportError):
            cause = exc.__cause__ if isinstance(exc, anthropic.APIConnectionError) else exc
            return ProviderUnavailable(name, f"connection failed ({type(cause).__name__})")
        if isinstance(exc, anthropic.APIResponseValidationError):
            return MalformedResponse(name, "the answer does not match the API schema")
        if isinstance(exc, anthropic.APIStatusError):
            # An `event: error` inside a 200 stream says what went wrong in its body.
            status = exc.status_code if exc.status_code >= 400 else _event_status(exc.body)
            detail = scrub(vendor_detail(exc.body), key)
            return error_for_status(name, status, detail, exc.response.headers)
        if isinstance(exc, anthropic.APIError):
            return ProviderUnavailable(name, scrub(exc.message, key))
        if isinstance(exc, ValueError):
            return MalformedResponse(name, f"the answer is not valid JSON ({type(exc).__name__})")
        if isinstance(exc, anthropic.AnthropicError):
            return ProviderRejected(name, scrub(str(exc), key))
        return None

    async def aclose(self) -> None:
        await self._client.close()
