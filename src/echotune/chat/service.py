"""The assistant's loop: ask the model, run the tools it calls, repeat, answer.

One generator serves both the JSON and the streamed reply. Streamed text goes
out a line at a time, each line checked first, so a line naming a track the
catalog lacks is never sent. Every message of the turn (the user's, the tool
calls and results, the answer) is stored in order with the conversation.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

from echotune.chat.conversation import Conversations
from echotune.chat.llm_errors import translate
from echotune.chat.models import ChatMessage, ConversationSummary
from echotune.chat.prompt import is_personal, system_prompt
from echotune.chat.tool_specs import MUSIC_TOOLS
from echotune.chat.tools import MusicTools, ToolContext
from echotune.chat.verify import ReplyVerifier
from echotune.chat.views import ChatEvent, ChatInput, ChatReply
from echotune.errors import EchotuneError, NotFound
from echotune.llm.errors import LLMError
from echotune.llm.provider import Provider
from echotune.llm.types import ChatRequest, ChatResponse, Message, StreamEnd, TextDelta
from echotune.recommend.personal.service import PersonalRecommendationService
from echotune.users.models import User

MAX_TOOL_ROUNDS = 4
NO_ANSWER = "Sorry, I couldn't put an answer together for that. Could you ask it another way?"


class ChatService:
    def __init__(
        self,
        llm: Provider,
        tools: MusicTools,
        conversations: Conversations,
        personal: PersonalRecommendationService,
        verifier: ReplyVerifier,
        rate: Callable[[str, bool], object],
    ) -> None:
        self._rate = rate
        self._llm = llm
        self._tools = tools
        self._conversations = conversations
        self._personal = personal
        self._verifier = verifier

    async def reply(self, user: User, chat: ChatInput) -> ChatReply:
        async for event in self._run(user, chat, streaming=False):
            if event.event == "done" and event.reply is not None:
                return event.reply
        raise EchotuneError("The assistant produced no answer")  # pragma: no cover

    async def conversations(self, user: User, limit: int) -> list[ConversationSummary]:
        return await self._conversations.list_for(user, limit)

    async def messages(self, user: User, conversation_id: str) -> list[ChatMessage]:
        return await self._conversations.read(user, conversation_id)

    async def delete(self, user: User, conversation_id: str) -> None:
        if not await self._conversations.delete(user, conversation_id):
            raise NotFound(f"No conversation '{conversation_id}'")

    async def rate(self, user: User, conversation_id: str, thumbs_up: bool) -> None:
        """Thumbs for the conversation's last answer, credited to the model that gave it."""
        for message in reversed(await self._conversations.read(user, conversation_id)):
            provider = message.meta.get("provider")
            if message.role == "assistant" and isinstance(provider, str):
                self._rate(provider, thumbs_up)
                return
        raise NotFound(f"Conversation '{conversation_id}' has no answer to rate yet")

    async def stream(self, user: User, chat: ChatInput) -> AsyncIterator[ChatEvent]:
        """Events in order; an error becomes a last `error` event instead of an exception."""
        try:
            async for event in self._run(user, chat, streaming=True):
                yield event
        except EchotuneError as exc:
            yield ChatEvent(event="error", message=exc.message, status=exc.status_code)

    async def _run(self, user: User, chat: ChatInput, streaming: bool) -> AsyncIterator[ChatEvent]:
        convo = await self._conversations.open(user, chat.conversation_id)
        personal = is_personal(chat.message, convo.has_history)
        summary = await self._personal.taste_summary(user.id) if personal else None
        convo.start_turn(system_prompt(summary), chat.message)
        ctx = ToolContext(user=user, shown=convo.shown_tracks())
        used: list[str] = []
        response = ChatResponse(text="")
        for round_ in range(MAX_TOOL_ROUNDS + 1):
            request = ChatRequest(
                messages=convo.messages(), tools=MUSIC_TOOLS, user_id=user.id,
                personal=personal, provider=chat.provider, policy=chat.policy,
            )  # fmt: skip
            async for event in self._ask(request, streaming, ctx):
                if isinstance(event, ChatResponse):
                    response = event
                else:
                    yield event
            if not response.tool_calls or round_ == MAX_TOOL_ROUNDS:
                break
            convo.add(Message("assistant", response.text, tool_calls=response.tool_calls),
                      provider=response.provider)  # fmt: skip
            for call in response.tool_calls:
                yield ChatEvent(event="tool", tool=call.name, arguments=dict(call.arguments))
                result = await self._tools.run(call, ctx)
                used.append(call.name)
                convo.add(Message("tool", json.dumps(result), tool_call_id=call.id, name=call.name))
            personal = True  # tool results carry the user's data
        text, dropped = await self._verifier.clean(response.text, ctx.shown)
        if not text.strip():
            # The model kept calling tools, or said nothing: never answer with silence.
            text = NO_ANSWER
            if streaming:
                yield ChatEvent(event="delta", text=text)
        reply = convo.finish(text, response, ctx.shown, used, dropped)
        conversation_id = await self._conversations.save(convo)
        yield ChatEvent(event="done", reply=reply.model_copy(update={"conversation_id": conversation_id}))

    async def _ask(
        self, request: ChatRequest, streaming: bool, ctx: ToolContext
    ) -> AsyncIterator[ChatEvent | ChatResponse]:
        try:
            if not streaming:
                yield await self._llm.complete(request)
                return
            line = ""
            async for event in self._llm.stream(request):
                if isinstance(event, TextDelta):
                    line += event.text
                    *complete, line = line.split("\n")
                    for text in complete:
                        if await self._verifier.line_ok(text, ctx.shown):
                            yield ChatEvent(event="delta", text=text + "\n")
                elif isinstance(event, StreamEnd):
                    if line and await self._verifier.line_ok(line, ctx.shown):
                        yield ChatEvent(event="delta", text=line)
                    yield event.response
        except LLMError as exc:
            raise translate(exc) from exc
