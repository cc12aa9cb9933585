"""Our types to and from the Anthropic Messages API: the system prompt goes top-level,
tool calls are `tool_use` blocks, tool results `tool_result` blocks in a user turn, and a
stream is assembled from its SSE events. The SDK's types are used for checking only: the
SDK itself is imported lazily by the adapter (it takes seconds to import)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, cast

from echotune.llm.errors import MalformedResponse, ProviderUnavailable
from echotune.llm.providers.common import PendingCall, require_tool_call_id
from echotune.llm.types import (
    ChatResponse,
    FinishReason,
    JSONValue,
    Message,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    ToolSpec,
    Usage,
)

if TYPE_CHECKING:
    from anthropic.types import (
        ContentBlockParam,
        MessageDeltaUsage,
        MessageParam,
        RawMessageStreamEvent,
        ToolParam,
    )
    from anthropic.types import Message as AnthropicMessage
    from anthropic.types import Usage as AnthropicUsage

_STOP: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "tool_use": "tool_calls",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "refusal": "error",
}


def to_anthropic_messages(
    provider: str, messages: tuple[Message, ...]
) -> tuple[str, list[MessageParam]]:
    """(system prompt, turns). Consecutive turns of one role merge into one: Anthropic wants
    every tool_result answering an assistant turn in the single user turn that follows."""
    system = "\n\n".join(m.content for m in messages if m.role == "system" and m.content)
    turns: list[tuple[Literal["user", "assistant"], list[ContentBlockParam]]] = []
    for message in messages:
        if message.role == "system":
            continue
        role: Literal["user", "assistant"] = "assistant" if message.role == "assistant" else "user"
        blocks = _blocks(provider, message)
        if not blocks:
            continue
        if turns and turns[-1][0] == role:
            turns[-1][1].extend(blocks)
        else:
            turns.append((role, blocks))
    return system, [_turn(role, blocks) for role, blocks in turns]


def _turn(role: Literal["user", "assistant"], blocks: list[ContentBlockParam]) -> MessageParam:
    if role == "assistant":
        return {"role": "assistant", "content": blocks}
    return {"role": "user", "content": blocks}


def _blocks(provider: str, message: Message) -> list[ContentBlockParam]:
    if message.role == "tool":
        call_id = require_tool_call_id(provider, message)
        return [{"type": "tool_result", "tool_use_id": call_id, "content": message.content}]
    # Anthropic rejects empty text blocks.
    blocks: list[ContentBlockParam] = (
        [{"type": "text", "text": message.content}] if message.content else []
    )
    for call in message.tool_calls:
        blocks.append({"type": "tool_use", "id": call.id, "name": call.name,
                       "input": dict(call.arguments)})
    return blocks


def to_anthropic_tools(tools: tuple[ToolSpec, ...]) -> list[ToolParam]:
    return [
        {"name": tool.name, "description": tool.description, "input_schema": dict(tool.parameters)}
        for tool in tools
    ]


def _input_tokens(usage: AnthropicUsage) -> int:
    # Cached prompt tokens are still prompt tokens, for budgets and cost estimates.
    return (usage.input_tokens + (usage.cache_creation_input_tokens or 0)
            + (usage.cache_read_input_tokens or 0))


def _delta_usage(usage: MessageDeltaUsage, before: Usage) -> Usage:
    """message_delta's counts are cumulative; input tokens only when the server restates them."""
    if usage.input_tokens is None:
        return Usage(before.input_tokens, usage.output_tokens)
    prompt = (usage.input_tokens + (usage.cache_creation_input_tokens or 0)
              + (usage.cache_read_input_tokens or 0))
    return Usage(prompt, usage.output_tokens)


def _finish(stop_reason: str | None, has_calls: bool) -> FinishReason:
    if has_calls:
        return "tool_calls"
    return _STOP.get(stop_reason or "end_turn", "stop")


def from_message(provider: str, message: AnthropicMessage) -> ChatResponse:
    try:
        texts: list[str] = []
        calls: list[ToolCall] = []
        for block in message.content:
            if block.type == "text":
                texts.append(block.text)
            elif block.type == "tool_use":
                # Parsed from JSON by the SDK, so JSON values by construction.
                arguments = cast(dict[str, JSONValue], block.input)
                calls.append(ToolCall(block.id, block.name, arguments))
        return ChatResponse(
            text="".join(texts),
            tool_calls=tuple(calls),
            usage=Usage(_input_tokens(message.usage), message.usage.output_tokens),
            provider=provider,
            model=message.model,
            finish_reason=_finish(message.stop_reason, bool(calls)),
        )
    except (AttributeError, TypeError) as exc:
        # The SDK builds models without validation: a field a server left out is missing.
        raise MalformedResponse(provider, f"the message is incomplete ({exc})") from exc


@dataclass
class EventAssembler:
    """Feeds on SSE events, yields our events; `response()` is the whole answer at the end."""

    provider: str
    model: str
    _text: list[str] = field(default_factory=list)
    _pending: dict[int, PendingCall] = field(default_factory=dict)
    _calls: list[ToolCall] = field(default_factory=list)
    _usage: Usage = field(default_factory=Usage)
    _stop_reason: str | None = None
    _stopped: bool = False

    def feed(self, event: RawMessageStreamEvent) -> list[StreamEvent]:
        try:
            return self._feed(event)
        except (AttributeError, TypeError) as exc:
            raise MalformedResponse(self.provider, f"an event is incomplete ({exc})") from exc

    def _feed(self, event: RawMessageStreamEvent) -> list[StreamEvent]:
        if event.type == "message_start":
            self.model = event.message.model or self.model
            self._usage = Usage(_input_tokens(event.message.usage), event.message.usage.output_tokens)
        elif event.type == "content_block_start":
            block = event.content_block
            if block.type == "tool_use":
                self._pending[event.index] = PendingCall(block.id, block.name)
            elif block.type == "text" and block.text:
                return self._say(block.text)
        elif event.type == "content_block_delta":
            delta = event.delta
            if delta.type == "text_delta":
                return self._say(delta.text)
            if delta.type == "input_json_delta" and event.index in self._pending:
                self._pending[event.index].fragments.append(delta.partial_json)
        elif event.type == "content_block_stop" and event.index in self._pending:
            call = self._pending.pop(event.index).complete(self.provider, f"toolu_{event.index}")
            self._calls.append(call)
            return [ToolCallDelta(call)]
        elif event.type == "message_delta":
            self._stop_reason = event.delta.stop_reason or self._stop_reason
            self._usage = _delta_usage(event.usage, self._usage)
        elif event.type == "message_stop":
            self._stopped = True
        return []

    def _say(self, text: str) -> list[StreamEvent]:
        self._text.append(text)
        return [TextDelta(text)]

    def response(self) -> ChatResponse:
        if not self._stopped:
            raise ProviderUnavailable(self.provider, "the stream ended before message_stop")
        return ChatResponse(
            text="".join(self._text),
            tool_calls=tuple(self._calls),
            usage=self._usage,
            provider=self.provider,
            model=self.model,
            finish_reason=_finish(self._stop_reason, bool(self._calls)),
        )
