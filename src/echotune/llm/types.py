"""Our own request, response, tool-call and stream-event types; adapters translate
each vendor's wire format to and from these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from pydantic import JsonValue

# pydantic's recursive JSON alias: plain recursive aliases send pydantic models
# that hold them into endless recursion.
JSONValue = JsonValue
Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True)
class ToolCall:
    """A model's request to run one tool. `arguments` is the parsed JSON object."""

    id: str
    name: str
    arguments: Mapping[str, JSONValue]


@dataclass(frozen=True)
class ToolSpec:
    """A tool offered to the model: `parameters` is a JSON Schema object."""

    name: str
    description: str
    parameters: Mapping[str, JSONValue]


@dataclass(frozen=True)
class Message:
    """One turn. An assistant turn may carry tool calls; a tool turn answers one
    call (`tool_call_id`) with `content` (JSON text) and names the tool in `name`."""

    role: Role
    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class ChatRequest:
    messages: tuple[Message, ...]
    tools: tuple[ToolSpec, ...] = ()
    max_tokens: int = 1024
    temperature: float = 0.3
    # Who asks, for per-user budgets and cache scoping.
    user_id: str | None = None
    # The answer depends on the user's own data (taste, history): cache it for them only.
    personal: bool = False
    # Worth a hedged second request when the first is slow.
    latency_critical: bool = False
    # Ask for one provider by name (bypasses the policy's choice, not the breaker).
    provider: str | None = None
    # Override the router's policy for this request.
    policy: str | None = None


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens


FinishReason = Literal["stop", "tool_calls", "length", "error"]


@dataclass(frozen=True)
class ChatResponse:
    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Usage = field(default_factory=Usage)
    provider: str = ""
    model: str = ""
    finish_reason: FinishReason = "stop"
    cached: bool = False


@dataclass(frozen=True)
class TextDelta:
    """A piece of the answer's text, in order."""

    text: str


@dataclass(frozen=True)
class ToolCallDelta:
    """A complete tool call, emitted once its arguments have fully arrived."""

    call: ToolCall


@dataclass(frozen=True)
class StreamEnd:
    """The last event of every successful stream: the whole answer, as `complete` returns it."""

    response: ChatResponse


StreamEvent = TextDelta | ToolCallDelta | StreamEnd
