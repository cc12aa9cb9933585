"""What the chat API takes and answers, and the events of a streamed reply."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from echotune.llm.types import JSONValue

Policy = Literal["balanced", "fastest", "cheapest", "best-quality", "ordered"]


class ChatInput(BaseModel):
    message: str = Field(min_length=1, max_length=4000)
    conversation_id: str | None = Field(default=None, max_length=64)
    provider: str | None = Field(default=None, max_length=64, description="Pin one provider")
    policy: Policy | None = None
    stream: bool = False


class ChatReply(BaseModel):
    conversation_id: str
    reply: str
    provider: str
    model: str
    cached: bool = False
    tracks: list[dict[str, JSONValue]] = Field(
        default_factory=list, description="Catalog tracks the reply refers to"
    )
    tools: list[str] = Field(default_factory=list, description="Tools the assistant ran")
    dropped_lines: int = Field(default=0, description="Lines naming tracks not in the catalog")


class ChatEvent(BaseModel):
    """One streamed event: `delta` (text), `tool` (a tool ran), `done` (the whole reply)
    or `error` (the stream stopped; nothing after it)."""

    event: Literal["delta", "tool", "done", "error"]
    text: str | None = None
    tool: str | None = None
    arguments: dict[str, JSONValue] | None = None
    reply: ChatReply | None = None
    message: str | None = None
    status: int | None = None
