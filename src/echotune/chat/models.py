"""Stored chat: conversations, each one user's, and their messages in order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, TypeAdapter

ChatRole = Literal["system", "user", "assistant", "tool"]

TITLE_MAX = 80
# The meta key naming the provider that wrote an assistant message.
PROVIDER_KEY = "provider"

Meta = dict[str, JsonValue]
_META = TypeAdapter(Meta)


class NewMessage(BaseModel):
    """A message to store; the repository gives it its place in the conversation.

    `meta` holds what a role needs beyond its text, as JSON: tool_calls,
    tool_call_id and the tool's name, provider, model, tracks shown, cached,
    usage. Storage keeps it as given and never looks inside, except for
    `provider` (see `ConversationSummary.last_provider`).
    """

    model_config = ConfigDict(frozen=True)

    role: ChatRole
    content: str
    created_at: datetime
    meta: Meta = Field(default_factory=dict)


class ChatMessage(BaseModel):
    """A stored message. `order` counts from 0 within its conversation, one
    step per message, in the order they were appended."""

    model_config = ConfigDict(frozen=True)

    conversation_id: str
    user_id: str
    order: int = Field(ge=0)
    role: ChatRole
    content: str
    created_at: datetime
    meta: Meta = Field(default_factory=dict)


class ConversationSummary(BaseModel):
    """What a list of conversations shows. `updated_at` is the newest message's
    time (or the creation time while there is none); `title` is the first user
    message, cut to TITLE_MAX characters, and empty until there is one."""

    model_config = ConfigDict(frozen=True)

    id: str
    user_id: str
    title: str
    created_at: datetime
    updated_at: datetime
    message_count: int = Field(ge=0)
    last_provider: str | None = None


def conversation_title(text: str) -> str:
    """`text` on one line, whitespace collapsed, cut to TITLE_MAX characters."""
    line = " ".join(text.split())
    return line if len(line) <= TITLE_MAX else line[: TITLE_MAX - 1].rstrip() + "…"


def batch_title(messages: Sequence[NewMessage]) -> str:
    """The title the first user message of `messages` gives, or ""."""
    for message in messages:
        if message.role == "user":
            return conversation_title(message.content)
    return ""


def batch_provider(messages: Sequence[NewMessage]) -> str | None:
    """The provider named by the last message of `messages` that names one."""
    for message in reversed(messages):
        provider = message.meta.get(PROVIDER_KEY)
        if isinstance(provider, str) and provider:
            return provider
    return None


def meta_to_json(meta: Meta) -> str:
    """`meta` as JSON text (a NaN or infinity becomes null, as JSON has neither)."""
    return _META.dump_json(meta).decode()


def meta_from_json(text: str | bytes) -> Meta:
    """Raises pydantic's ValidationError unless `text` is a JSON object."""
    return _META.validate_json(text)
