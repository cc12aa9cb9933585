"""OpenAI Chat Completions through the official SDK. One adapter serves every
OpenAI-compatible server (OpenRouter, Perplexity, xAI, Groq, Ollama, vLLM) by base URL."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import openai
from openai import AsyncOpenAI, omit
from openai.types.chat import ChatCompletion

from echotune.llm.errors import (
    MalformedResponse,
    ProviderError,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
)
from echotune.llm.provider import ProviderConfig
from echotune.llm.providers.common import (
    NO_API_KEY,
    error_for_status,
    guard_stream,
    scrub,
    vendor_detail,
)
from echotune.llm.providers.openai_wire import (
    ChunkAssembler,
    from_completion,
    to_openai_messages,
    to_openai_tools,
)
from echotune.llm.types import ChatRequest, ChatResponse, StreamEnd, StreamEvent


def _is_openai_itself(base_url: str | None) -> bool:
    return base_url is None or "api.openai.com" in base_url


class OpenAIProvider:
    """Retries and failover are the router's job: the SDK makes exactly one attempt."""

    def __init__(self, config: ProviderConfig) -> None:
        self._config = config
        self._client = AsyncOpenAI(
            api_key=config.api_key or NO_API_KEY,
            base_url=config.base_url,
            max_retries=0,
            timeout=config.timeout,
        )
        # OpenAI's newer models reject `max_tokens`; compatible servers mostly only know it.
        self._native = _is_openai_itself(config.base_url)

    @property
    def config(self) -> ProviderConfig:
        return self._config

    async def complete(self, request: ChatRequest) -> ChatResponse:
        name = self._config.name
        try:
            completion = await self._client.chat.completions.create(
                model=self._config.model,
                messages=to_openai_messages(name, request.messages),
                tools=to_openai_tools(request.tools) if request.tools else omit,
                max_tokens=omit if self._native else request.max_tokens,
                max_completion_tokens=request.max_tokens if self._native else omit,
                temperature=request.temperature,
            )
            if not isinstance(completion, ChatCompletion):
                # The SDK hands back plain text when a server answers without JSON.
                raise MalformedResponse(name, "the answer is not a chat completion")
            return from_completion(name, completion)
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
        name = self._config.name
        chunks = await self._client.chat.completions.create(
            model=self._config.model,
            messages=to_openai_messages(name, request.messages),
            tools=to_openai_tools(request.tools) if request.tools else omit,
            max_tokens=omit if self._native else request.max_tokens,
            max_completion_tokens=request.max_tokens if self._native else omit,
            temperature=request.temperature,
            stream=True,
            stream_options={"include_usage": True},
        )
        assembler = ChunkAssembler(name, self._config.model)
        async with chunks:
            async for chunk in chunks:
                for event in assembler.feed(chunk):
                    yield event
        yield StreamEnd(assembler.response())

    def _translate(self, exc: Exception) -> ProviderError | None:
        name, key = self._config.name, self._config.api_key
        if isinstance(exc, openai.APITimeoutError):
            return ProviderTimeout(name, f"no answer within {self._config.timeout:g} s")
        if isinstance(exc, openai.APIConnectionError):
            cause = type(exc.__cause__).__name__ if exc.__cause__ else "connection error"
            return ProviderUnavailable(name, f"connection failed ({cause})")
        if isinstance(exc, openai.APIResponseValidationError):
            return MalformedResponse(name, "the answer does not match the API schema")
        if isinstance(exc, openai.APIStatusError):
            detail = scrub(vendor_detail(exc.body), key)
            return error_for_status(name, exc.status_code, detail, exc.response.headers)
        if isinstance(exc, openai.APIError):
            # An error event inside a 200 stream.
            return ProviderUnavailable(name, scrub(exc.message, key))
        if isinstance(exc, ValueError):
            return MalformedResponse(name, f"the answer is not valid JSON ({type(exc).__name__})")
        if isinstance(exc, openai.OpenAIError):
            return ProviderRejected(name, scrub(str(exc), key))
        return None

    async def aclose(self) -> None:
        await self._client.close()
