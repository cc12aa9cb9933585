"""Our chat types to google-genai's and back: contents and parts, function
declarations, and the answer assembled from one response or from stream chunks.

Gemini has no "system" or "tool" role: system turns become the system instruction,
tool results become `functionResponse` parts of a user turn, and adjacent turns of
one role merge (parallel calls answer in one turn, as the API expects).
"""

from __future__ import annotations

import json
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from google.genai import types as gt

from echotune.llm.types import (
    ChatRequest,
    FinishReason,
    Message,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    ToolSpec,
    Usage,
)

# Gemini 3 refuses a replayed function call without the thought signature it was
# issued with. A history from another model, or from before a restart, has none; Google
# documents this value as the way to skip that check for such calls.
SKIP_SIGNATURE = b"skip_thought_signature_validator"

_FINISH: dict[gt.FinishReason, FinishReason] = {
    gt.FinishReason.STOP: "stop",
    gt.FinishReason.MAX_TOKENS: "length",
    gt.FinishReason.CONTINUATION: "length",
}
# The model broke its own output: worth another try, possibly elsewhere.
MALFORMED_FINISH = frozenset(
    {
        gt.FinishReason.MALFORMED_FUNCTION_CALL,
        gt.FinishReason.MALFORMED_RESPONSE,
        gt.FinishReason.UNEXPECTED_TOOL_CALL,
    }
)


class CallMemory:
    """What our ToolCall cannot carry about the calls Gemini issued: whether the id was
    Gemini's own (made-up ids are never sent back) and the call's thought signature.
    Bounded, least recently used first out."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._calls: OrderedDict[str, tuple[bool, bytes | None]] = OrderedDict()

    def remember(self, call_id: str, *, issued: bool, signature: bytes | None) -> None:
        self._calls[call_id] = (issued, signature)
        self._calls.move_to_end(call_id)
        while len(self._calls) > self._size:
            self._calls.popitem(last=False)

    def replay(self, call_id: str) -> tuple[str | None, bytes | None]:
        """The id and thought signature to send back with this call."""
        known = self._calls.get(call_id)
        if known is None:
            return None, SKIP_SIGNATURE
        issued, signature = known
        return (call_id if issued else None), signature


def to_request(
    request: ChatRequest, memory: CallMemory
) -> tuple[list[gt.Content], gt.GenerateContentConfig]:
    system = "\n\n".join(m.content for m in request.messages if m.role == "system" and m.content)
    config = gt.GenerateContentConfig(
        system_instruction=system or None,
        temperature=request.temperature,
        max_output_tokens=request.max_tokens,
        tools=[gt.Tool(function_declarations=[_declaration(t) for t in request.tools])]
        if request.tools
        else None,
        # We run the tools ourselves; the SDK must not try to.
        automatic_function_calling=gt.AutomaticFunctionCallingConfig(disable=True),
    )
    return to_contents(request.messages, memory), config


def to_contents(messages: Sequence[Message], memory: CallMemory) -> list[gt.Content]:
    names = {call.id: call.name for m in messages for call in m.tool_calls}
    contents: list[gt.Content] = []
    for message in messages:
        if message.role == "system":
            continue
        role = "model" if message.role == "assistant" else "user"
        parts = _parts(message, memory, names)
        if not parts:
            continue
        last = contents[-1] if contents else None
        if last is not None and last.role == role and last.parts is not None:
            last.parts.extend(parts)
        else:
            contents.append(gt.Content(role=role, parts=parts))
    return contents


def _parts(message: Message, memory: CallMemory, names: dict[str, str]) -> list[gt.Part]:
    if message.role == "tool":
        call_id = message.tool_call_id or ""
        sent_id, _ = memory.replay(call_id)
        name = message.name or names.get(call_id, "")
        response = gt.FunctionResponse(id=sent_id, name=name, response=_result(message.content))
        return [gt.Part(function_response=response)]
    parts = [gt.Part(text=message.content)] if message.content else []
    for call in message.tool_calls:
        sent_id, signature = memory.replay(call.id)
        function_call = gt.FunctionCall(id=sent_id, name=call.name, args=dict(call.arguments))
        parts.append(gt.Part(function_call=function_call, thought_signature=signature))
    return parts


def _result(content: str) -> dict[str, Any]:
    """A tool's JSON answer as the object Gemini wants; anything else under "output"."""
    try:
        value = json.loads(content)
    except ValueError:
        return {"output": content}
    return value if isinstance(value, dict) else {"output": value}


def _declaration(spec: ToolSpec) -> gt.FunctionDeclaration:
    # parameters_json_schema takes the JSON Schema as is; `parameters` wants Google's
    # OpenAPI subset and would drop what it cannot express.
    return gt.FunctionDeclaration(
        name=spec.name, description=spec.description, parameters_json_schema=dict(spec.parameters)
    )


@dataclass
class Assembly:
    """The answer built from one response (complete) or from every chunk (stream)."""

    memory: CallMemory
    text: list[str] = field(default_factory=list)
    calls: list[ToolCall] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    finish: gt.FinishReason | None = None
    model: str | None = None
    blocked: str | None = None
    candidates: int = 0

    def add(self, chunk: gt.GenerateContentResponse) -> list[StreamEvent]:
        if chunk.usage_metadata is not None:
            self.usage = _usage(chunk.usage_metadata)
        self.model = chunk.model_version or self.model
        feedback = chunk.prompt_feedback
        if feedback is not None and feedback.block_reason is not None:
            self.blocked = str(feedback.block_reason.value)
        if not chunk.candidates:
            return []
        self.candidates += 1
        candidate = chunk.candidates[0]
        self.finish = candidate.finish_reason or self.finish
        parts = candidate.content.parts if candidate.content is not None else None
        return [event for part in parts or [] if (event := self._event(part)) is not None]

    def _event(self, part: gt.Part) -> StreamEvent | None:
        if part.thought:
            return None  # a thought summary is not part of the answer
        if part.function_call is not None:
            call = self._call(part.function_call, part.thought_signature)
            self.calls.append(call)
            return ToolCallDelta(call)
        if part.text:
            self.text.append(part.text)
            return TextDelta(part.text)
        return None

    def _call(self, fc: gt.FunctionCall, signature: bytes | None) -> ToolCall:
        call_id = fc.id or f"call_{uuid.uuid4().hex[:16]}"
        self.memory.remember(call_id, issued=fc.id is not None, signature=signature)
        return ToolCall(id=call_id, name=fc.name or "", arguments=dict(fc.args or {}))

    def finish_reason(self) -> FinishReason:
        if self.calls:
            return "tool_calls"
        if self.finish is None:
            return "stop"
        return _FINISH.get(self.finish, "error")


def _usage(meta: gt.GenerateContentResponseUsageMetadata) -> Usage:
    # Thinking tokens are billed as output.
    output = (meta.candidates_token_count or 0) + (meta.thoughts_token_count or 0)
    return Usage(input_tokens=meta.prompt_token_count or 0, output_tokens=output)
