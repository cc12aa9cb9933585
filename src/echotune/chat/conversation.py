"""A conversation during one turn: its stored history as model messages, the new
messages of this turn, and saving them in order."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from echotune.chat.models import ChatMessage, ConversationSummary, NewMessage
from echotune.chat.views import ChatReply
from echotune.errors import NotFound
from echotune.llm.types import ChatResponse, JSONValue, Message, ToolCall
from echotune.storage.base import ConversationRepo
from echotune.users.models import User

# Older turns are dropped from what the model sees (they stay stored): keeps
# requests small and inside every provider's context window.
HISTORY_MESSAGES = 30


def to_message(stored: ChatMessage) -> Message:
    meta = stored.meta
    calls = meta.get("tool_calls")
    tool_calls = tuple(
        ToolCall(str(c["id"]), str(c["name"]), c.get("arguments") or {})  # type: ignore[arg-type]
        for c in calls if isinstance(c, dict)
    ) if isinstance(calls, list) else ()  # fmt: skip
    call_id = meta.get("tool_call_id")
    name = meta.get("name")
    return Message(
        stored.role,
        stored.content,
        tool_calls=tool_calls,
        tool_call_id=str(call_id) if call_id else None,
        name=str(name) if name else None,
    )


def _meta(message: Message, provider: str | None) -> dict[str, JSONValue]:
    meta: dict[str, JSONValue] = {}
    if message.tool_calls:
        meta["tool_calls"] = [
            {"id": c.id, "name": c.name, "arguments": dict(c.arguments)} for c in message.tool_calls
        ]
    if message.tool_call_id:
        meta["tool_call_id"] = message.tool_call_id
    if message.name:
        meta["name"] = message.name
    if provider:
        meta["provider"] = provider
    return meta


class Conversation:
    def __init__(
        self, conversation_id: str | None, user: User, history: Sequence[ChatMessage]
    ) -> None:
        self.id = conversation_id  # None until a new conversation is first saved
        self.user = user
        self._history = list(history)
        self._system = ""
        self._new: list[tuple[Message, dict[str, JSONValue]]] = []

    @property
    def has_history(self) -> bool:
        return bool(self._history)

    def start_turn(self, system: str, user_text: str) -> None:
        self._system = system
        self._new.append((Message("user", user_text), {}))

    def add(self, message: Message, provider: str | None = None) -> None:
        self._new.append((message, _meta(message, provider)))

    def messages(self) -> tuple[Message, ...]:
        past = [to_message(m) for m in self._history[-HISTORY_MESSAGES:]]
        while past and past[0].role == "tool":
            past.pop(0)  # a tool result without its call would confuse every vendor
        return (Message("system", self._system), *past, *(m for m, _ in self._new))

    def shown_tracks(self) -> dict[str, dict[str, JSONValue]]:
        shown: dict[str, dict[str, JSONValue]] = {}
        for stored in self._history:
            for track in stored.meta.get("tracks") or []:  # type: ignore[union-attr]
                if isinstance(track, dict) and "id" in track:
                    shown[str(track["id"])] = track
        return shown

    def finish(
        self,
        text: str,
        response: ChatResponse,
        shown: dict[str, dict[str, JSONValue]],
        tools: list[str],
        dropped: int,
    ) -> ChatReply:
        referenced = _referenced(self._new, shown)
        meta: dict[str, JSONValue] = {
            "provider": response.provider, "model": response.model, "cached": response.cached,
            "tracks": list[JSONValue](referenced), "tools": list[JSONValue](tools),
        }  # fmt: skip
        self._new.append((Message("assistant", text), meta))
        return ChatReply(
            conversation_id=self.id or "", reply=text, provider=response.provider,
            model=response.model, cached=response.cached, tracks=referenced, tools=tools,
            dropped_lines=dropped,
        )  # fmt: skip

    def unsaved(self, at: datetime) -> list[NewMessage]:
        return [
            NewMessage(role=m.role, content=m.content, created_at=at, meta=meta)
            for m, meta in self._new
        ]


def _referenced(
    new: list[tuple[Message, dict[str, JSONValue]]], shown: dict[str, dict[str, JSONValue]]
) -> list[dict[str, JSONValue]]:
    """The tracks this turn's tools returned, in order, once each."""
    ids: list[str] = []
    for message, _ in new:
        if message.role != "tool":
            continue
        for track_id in _ids_in(json.loads(message.content or "{}")):
            if track_id not in ids:
                ids.append(track_id)
    return [shown[i] for i in ids if i in shown]


def _ids_in(value: object) -> list[str]:
    if isinstance(value, dict):
        own = [str(value["id"])] if "id" in value and "name" in value else []
        return own + [i for v in value.values() for i in _ids_in(v)]
    if isinstance(value, list):
        return [i for v in value for i in _ids_in(v)]
    return []


def _now() -> datetime:
    return datetime.now(UTC)


class Conversations:
    def __init__(self, repo: ConversationRepo, clock: Callable[[], datetime] = _now) -> None:
        self._repo = repo
        self._clock = clock

    async def open(self, user: User, conversation_id: str | None) -> Conversation:
        """The user's conversation (NotFound for anyone else's), or a new one."""
        if conversation_id is None:
            return Conversation(None, user, [])
        if await self._repo.get(conversation_id, user.id) is None:
            raise NotFound(f"No conversation '{conversation_id}'")
        history = await self._repo.messages(conversation_id, user.id, limit=HISTORY_MESSAGES)
        return Conversation(conversation_id, user, history)

    async def save(self, convo: Conversation) -> str:
        """Store the turn's messages; returns the conversation id (new ones get one now)."""
        messages = convo.unsaved(self._clock())
        if convo.id is None:
            created = await self._repo.create(convo.user.id, self._clock(), messages)
            convo.id = created.id
        else:
            await self._repo.append(convo.id, convo.user.id, messages)
        return convo.id

    async def list_for(self, user: User, limit: int) -> list[ConversationSummary]:
        return await self._repo.list_for(user.id, limit, None)

    async def read(self, user: User, conversation_id: str) -> list[ChatMessage]:
        if await self._repo.get(conversation_id, user.id) is None:
            raise NotFound(f"No conversation '{conversation_id}'")
        return await self._repo.messages(conversation_id, user.id)

    async def delete(self, user: User, conversation_id: str) -> bool:
        return await self._repo.delete(conversation_id, user.id)
