"""Google Gemini (the Gemini Developer API) through the official google-genai SDK.

    GeminiProvider(ProviderConfig(name="gemini", kind="gemini", model="gemini-2.5-flash",
                                  api_key="...", base_url=None))

`base_url` points the SDK elsewhere (a gateway, or the loopback fake in the tests); the
SDK then calls `{base_url}/v1beta/models/{model}:generateContent` and
`:streamGenerateContent?alt=sse`. The SDK's own retries are off: the router retries
and fails over. Errors are translated in `gemini_errors`, types in `gemini_convert`.

Streams: an error before the first event is the provider's ordinary error (the router
may fail over); after it, `StreamInterrupted`, and so is a stream that ends without a
finish reason, because a silently truncated answer must not pass for a whole one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from google import genai
from google.genai import types as gt

from echotune.llm.errors import (
    MalformedResponse,
    ProviderError,
    ProviderRejected,
    StreamInterrupted,
)
from echotune.llm.provider import ProviderConfig
from echotune.llm.providers.gemini_convert import (
    MALFORMED_FINISH,
    Assembly,
    CallMemory,
    to_request,
)
from echotune.llm.providers.gemini_errors import SDK_ERRORS, translate
from echotune.llm.types import ChatRequest, ChatResponse, StreamEnd, StreamEvent

# The version Google documents function calling and system instructions on; the SDK's
# own default with a custom base_url is v1.
API_VERSION = "v1beta"


class GeminiProvider:
    def __init__(self, config: ProviderConfig) -> None:
        if not config.api_key:
            raise ValueError(f"the Gemini provider {config.name!r} needs an api_key")
        self._config = config
        self._memory = CallMemory()
        options = gt.HttpOptions(
            base_url=config.base_url,
            api_version=API_VERSION,
            timeout=max(1, round(config.timeout * 1000)),  # the SDK counts milliseconds
            retry_options=gt.HttpRetryOptions(attempts=1),
        )
        # vertexai=False: GOOGLE_GENAI_USE_VERTEXAI in the environment must not switch APIs.
        self._client = genai.Client(api_key=config.api_key, vertexai=False, http_options=options)

    @property
    def config(self) -> ProviderConfig:
        return self._config

    async def complete(self, request: ChatRequest) -> ChatResponse:
        contents, options = to_request(request, self._memory)
        try:
            reply = await self._client.aio.models.generate_content(
                model=self._config.model, contents=contents, config=options
            )
        except SDK_ERRORS as exc:
            raise translate(self._config.name, exc, self._config.api_key) from exc
        assembly = Assembly(self._memory)
        assembly.add(reply)
        problem = self._problem(assembly)
        if problem is not None:
            raise problem
        return self._response(assembly)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        contents, options = to_request(request, self._memory)
        assembly = Assembly(self._memory)
        started = False
        try:
            chunks = await self._client.aio.models.generate_content_stream(
                model=self._config.model, contents=contents, config=options
            )
            try:
                async for chunk in chunks:
                    for event in assembly.add(chunk):
                        started = True
                        yield event
            finally:
                await _close(chunks)
        except SDK_ERRORS as exc:
            error = translate(self._config.name, exc, self._config.api_key)
            if started:
                raise self._interrupted(error) from exc
            raise error from exc
        problem = self._problem(assembly, stream=True)
        if problem is not None:
            raise self._interrupted(problem) if started else problem
        yield StreamEnd(self._response(assembly))

    async def aclose(self) -> None:
        await self._client.aio.aclose()
        self._client.close()

    def _interrupted(self, error: ProviderError) -> StreamInterrupted:
        detail = error.message.removeprefix(f"{self._config.name}: ")
        return StreamInterrupted(self._config.name, f"stream broke: {detail}")

    def _problem(self, assembly: Assembly, *, stream: bool = False) -> ProviderError | None:
        name = self._config.name
        if assembly.blocked is not None:
            return ProviderRejected(name, f"the prompt was blocked ({assembly.blocked})")
        if assembly.candidates == 0:
            return MalformedResponse(name, "an answer without candidates")
        if assembly.finish in MALFORMED_FINISH:
            return MalformedResponse(name, f"malformed model output ({assembly.finish.value})")
        if stream and assembly.finish is None:
            return MalformedResponse(name, "the stream ended without a finish reason")
        return None

    def _response(self, assembly: Assembly) -> ChatResponse:
        return ChatResponse(
            text="".join(assembly.text),
            tool_calls=tuple(assembly.calls),
            usage=assembly.usage,
            provider=self._config.name,
            model=assembly.model or self._config.model,
            finish_reason=assembly.finish_reason(),
        )


async def _close(chunks: AsyncIterator[gt.GenerateContentResponse]) -> None:
    """Release the HTTP stream now, not when the generator is collected."""
    close = getattr(chunks, "aclose", None)
    if close is not None:
        await close()
