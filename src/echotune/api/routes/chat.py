"""The music chat under /api/v1/chat (JSON, or SSE with `stream`), its conversations,
and the language models' live status under /api/v1/llm."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel
from sse_starlette import EventSourceResponse, ServerSentEvent

from echotune.api.deps import ChatDep, CurrentUser, LlmStatusDep
from echotune.chat.models import ChatMessage, ConversationSummary
from echotune.chat.views import ChatInput, ChatReply
from echotune.llm.router.status import ProviderStatus

router = APIRouter(prefix="/api/v1", tags=["chat"])


class ConversationList(BaseModel):
    items: list[ConversationSummary]


class ConversationMessages(BaseModel):
    conversation_id: str
    messages: list[ChatMessage]


class Rating(BaseModel):
    conversation_id: str
    thumbs_up: bool


@router.post(
    "/chat",
    response_model=ChatReply,
    responses={200: {"content": {"text/event-stream": {}}, "description": "With `stream`: SSE "
                     "events delta, tool, done (the whole reply) or error"}},
)
async def chat(body: ChatInput, chat: ChatDep, user: CurrentUser) -> ChatReply | EventSourceResponse:
    if not body.stream:
        return await chat.reply(user, body)

    async def events() -> AsyncIterator[ServerSentEvent]:
        async for event in chat.stream(user, body):
            yield ServerSentEvent(
                data=event.model_dump_json(exclude_none=True), event=event.event
            )

    return EventSourceResponse(events(), ping=15)


@router.get("/chat/conversations", response_model=ConversationList)
async def conversations(
    chat: ChatDep, user: CurrentUser, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> ConversationList:
    return ConversationList(items=await chat.conversations(user, limit))


@router.get("/chat/conversations/{conversation_id}", response_model=ConversationMessages)
async def conversation(conversation_id: str, chat: ChatDep, user: CurrentUser) -> ConversationMessages:
    return ConversationMessages(
        conversation_id=conversation_id, messages=await chat.messages(user, conversation_id)
    )


@router.delete("/chat/conversations/{conversation_id}", status_code=204)
async def delete_conversation(conversation_id: str, chat: ChatDep, user: CurrentUser) -> Response:
    await chat.delete(user, conversation_id)
    return Response(status_code=204)


@router.post("/chat/rating", status_code=204, description="Thumbs up or down for the last "
             "answer of a conversation; the router weighs its provider's quality by it.")
async def rate(body: Rating, chat: ChatDep, user: CurrentUser) -> Response:
    await chat.rate(user, body.conversation_id, body.thumbs_up)
    return Response(status_code=204)


@router.get("/llm/providers", response_model=list[ProviderStatus])
async def providers(status: LlmStatusDep, user: CurrentUser) -> list[ProviderStatus]:
    return status()
