"""Our types to and from OpenAI Chat Completions: messages, tools, whole completions, and
the assembly of streamed chunks (tool-call arguments arrive in fragments, by index)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from openai.types.chat import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionFunctionToolParam,
    ChatCompletionMessageFunctionToolCallParam,
    ChatCompletionMessageParam,
)
from openai.types.completion_usage import CompletionUsage

from echotune.llm.errors import MalformedResponse, ProviderUnavailable
from echotune.llm.providers.common import PendingCall, parse_arguments, require_tool_call_id
from echotune.llm.types import (
    ChatResponse,
    FinishReason,
    Message,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    ToolSpec,
    Usage,
)

_FINISH: dict[str, FinishReason] = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "error",
}


def to_openai_messages(provider: str, messages: tuple[Message, ...]) -> list[ChatCompletionMessageParam]:
    out: list[ChatCompletionMessageParam] = []
    for message in messages:
        if message.role == "system":
            out.append({"role": "system", "content": message.content})
        elif message.role == "user":
            out.append({"role": "user", "content": message.content})
        elif message.role == "tool":
            call_id = require_tool_call_id(provider, message)
            out.append({"role": "tool", "tool_call_id": call_id, "content": message.content})
        elif message.tool_calls:
            calls: list[ChatCompletionMessageFunctionToolCallParam] = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
                }
                for call in message.tool_calls
            ]
            out.append({"role": "assistant", "content": message.content or None, "tool_calls": calls})
        else:
            out.append({"role": "assistant", "content": message.content})
    return out


def to_openai_tools(tools: tuple[ToolSpec, ...]) -> list[ChatCompletionFunctionToolParam]:
    return [
        {
            "type": "function",
            "function": {
                "name": tool.name,
                "description": tool.description,
                "parameters": dict(tool.parameters),
            },
        }
        for tool in tools
    ]


def _usage(usage: CompletionUsage | None) -> Usage:
    if usage is None:
        return Usage()
    return Usage(input_tokens=usage.prompt_tokens, output_tokens=usage.completion_tokens)


def _finish(reason: str | None, has_calls: bool) -> FinishReason:
    # Some compatible servers (Ollama) say "stop" even when the turn is tool calls.
    if has_calls:
        return "tool_calls"
    return _FINISH.get(reason or "stop", "stop")


def from_completion(provider: str, completion: ChatCompletion) -> ChatResponse:
    try:
        return _from_completion(provider, completion)
    except (AttributeError, TypeError) as exc:
        # The SDK builds models without validation: a field a server left out is missing.
        raise MalformedResponse(provider, f"the completion is incomplete ({exc})") from exc


def _from_completion(provider: str, completion: ChatCompletion) -> ChatResponse:
    if not completion.choices:
        raise MalformedResponse(provider, "the completion has no choices")
    choice = completion.choices[0]
    calls = tuple(
        ToolCall(call.id, call.function.name, parse_arguments(provider, call.function.arguments))
        for call in choice.message.tool_calls or ()
        if call.type == "function"
    )
    return ChatResponse(
        text=choice.message.content or "",
        tool_calls=calls,
        usage=_usage(completion.usage),
        provider=provider,
        model=completion.model,
        finish_reason=_finish(choice.finish_reason, bool(calls)),
    )


@dataclass
class ChunkAssembler:
    """Feeds on chunks, yields our events; `response()` is the whole answer at the end."""

    provider: str
    model: str
    _text: list[str] = field(default_factory=list)
    _pending: dict[int, PendingCall] = field(default_factory=dict)
    _calls: list[ToolCall] = field(default_factory=list)
    _finish_reason: str | None = None
    _usage: Usage = field(default_factory=Usage)

    def feed(self, chunk: ChatCompletionChunk) -> list[StreamEvent]:
        try:
            return self._feed(chunk)
        except (AttributeError, TypeError) as exc:
            raise MalformedResponse(self.provider, f"a chunk is incomplete ({exc})") from exc

    def _feed(self, chunk: ChatCompletionChunk) -> list[StreamEvent]:
        self.model = chunk.model or self.model
        if chunk.usage is not None:
            self._usage = _usage(chunk.usage)
        events: list[StreamEvent] = []
        for choice in chunk.choices[:1]:
            delta = choice.delta
            if delta.content:
                self._text.append(delta.content)
                events.append(TextDelta(delta.content))
            for part in delta.tool_calls or ():
                if part.index not in self._pending:
                    # Calls stream one after another: a new index completes the earlier ones.
                    events += self._complete_pending()
                    self._pending[part.index] = PendingCall()
                pending = self._pending[part.index]
                pending.id = part.id or pending.id
                if part.function is not None:
                    pending.name = part.function.name or pending.name
                    pending.fragments.append(part.function.arguments or "")
            if choice.finish_reason is not None:
                self._finish_reason = choice.finish_reason
                events += self._complete_pending()
        return events

    def _complete_pending(self) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        for index in sorted(self._pending):
            pending = self._pending.pop(index)
            call = pending.complete(self.provider, f"call_{index}")
            self._calls.append(call)
            events.append(ToolCallDelta(call))
        return events

    def response(self) -> ChatResponse:
        if self._finish_reason is None:
            raise ProviderUnavailable(self.provider, "the stream ended before a finish reason")
        return ChatResponse(
            text="".join(self._text),
            tool_calls=tuple(self._calls),
            usage=self._usage,
            provider=self.provider,
            model=self.model,
            finish_reason=_finish(self._finish_reason, bool(self._calls)),
        )
