"""The ConversationRepo contract (chat history), on every backend via `storage`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import JsonValue

from echotune.chat.models import TITLE_MAX, ChatMessage, ChatRole, NewMessage
from echotune.errors import NotFound
from echotune.storage.base import Storage

T0 = datetime(2024, 5, 1, 9, 30, 0, 123_000, tzinfo=UTC)


def msg(
    content: str, role: ChatRole = "user", at: datetime = T0, **meta: JsonValue
) -> NewMessage:
    return NewMessage(role=role, content=content, created_at=at, meta=meta)


def contents(messages: list[ChatMessage]) -> list[str]:
    return [m.content for m in messages]


async def users(storage: Storage) -> tuple[str, str]:
    alice, _ = await storage.users.get_or_create("alice")
    bob, _ = await storage.users.get_or_create("bob")
    return alice.id, bob.id


class TestConversationContract:
    async def test_a_new_conversation_is_empty_and_listed(self, storage: Storage) -> None:
        a, _ = await users(storage)
        created = await storage.conversations.create(a, T0)
        assert (created.user_id, created.title, created.message_count) == (a, "", 0)
        assert created.created_at == created.updated_at == T0
        assert created.last_provider is None
        assert await storage.conversations.get(created.id, a) == created
        assert await storage.conversations.messages(created.id, a) == []
        assert await storage.conversations.list_for(a, 10) == [created]
        other = await storage.conversations.create(a, T0)
        assert other.id != created.id

    async def test_messages_get_consecutive_orders_across_appends(self, storage: Storage) -> None:
        a, _ = await users(storage)
        later = T0 + timedelta(seconds=5)
        convo = await storage.conversations.create(a, T0, [msg("hi"), msg("hello", "assistant")])
        added = await storage.conversations.append(
            convo.id, a, [msg("more", at=later), msg("sure", "assistant", at=later)]
        )
        assert [m.order for m in added] == [2, 3]
        stored = await storage.conversations.messages(convo.id, a)
        assert [m.order for m in stored] == [0, 1, 2, 3]
        assert contents(stored) == ["hi", "hello", "more", "sure"]
        assert stored[2:] == added
        assert {(m.conversation_id, m.user_id) for m in stored} == {(convo.id, a)}
        summary = await storage.conversations.get(convo.id, a)
        assert summary is not None
        assert (summary.message_count, summary.created_at, summary.updated_at) == (4, T0, later)

    async def test_the_last_messages_come_in_order(self, storage: Storage) -> None:
        a, _ = await users(storage)
        convo = await storage.conversations.create(a, T0, [msg(str(i)) for i in range(6)])
        assert contents(await storage.conversations.messages(convo.id, a, limit=2)) == ["4", "5"]
        assert len(await storage.conversations.messages(convo.id, a, limit=50)) == 6
        assert await storage.conversations.messages(convo.id, a, limit=0) == []

    async def test_concurrent_appends_neither_collide_nor_interleave(
        self, storage: Storage
    ) -> None:
        a, _ = await users(storage)
        convo = await storage.conversations.create(a, T0)
        batches = [[msg(f"{b}.{i}") for i in range(3)] for b in range(8)]
        results = await asyncio.gather(
            *(storage.conversations.append(convo.id, a, batch) for batch in batches)
        )
        for batch, added in zip(batches, results, strict=True):
            first = added[0].order
            assert [m.order for m in added] == [first, first + 1, first + 2]
            assert contents(added) == [m.content for m in batch]
        stored = await storage.conversations.messages(convo.id, a)
        assert [m.order for m in stored] == list(range(24))
        assert sorted(contents(stored)) == sorted(m.content for b in batches for m in b)
        summary = await storage.conversations.get(convo.id, a)
        assert summary is not None and summary.message_count == 24

    async def test_another_users_conversation_looks_missing(self, storage: Storage) -> None:
        a, b = await users(storage)
        convo = await storage.conversations.create(a, T0, [msg("mine")])
        with pytest.raises(NotFound):
            await storage.conversations.append(convo.id, b, [msg("sneaky")])
        with pytest.raises(NotFound):
            await storage.conversations.append(convo.id, b, [])
        with pytest.raises(NotFound):
            await storage.conversations.messages(convo.id, b)
        assert await storage.conversations.get(convo.id, b) is None
        assert not await storage.conversations.delete(convo.id, b)
        assert await storage.conversations.list_for(b, 10) == []
        assert contents(await storage.conversations.messages(convo.id, a)) == ["mine"]
        summary = await storage.conversations.get(convo.id, a)
        assert summary is not None and summary.message_count == 1

    async def test_an_unknown_conversation_is_not_found(self, storage: Storage) -> None:
        a, _ = await users(storage)
        with pytest.raises(NotFound):
            await storage.conversations.append("nope", a, [msg("hi")])
        with pytest.raises(NotFound):
            await storage.conversations.messages("nope", a, limit=3)
        assert await storage.conversations.get("nope", a) is None
        assert not await storage.conversations.delete("nope", a)

    async def test_list_is_latest_activity_first_and_pages(self, storage: Storage) -> None:
        a, b = await users(storage)
        ids = [
            (await storage.conversations.create(a, T0 + timedelta(minutes=i))).id
            for i in range(5)
        ]
        await storage.conversations.create(b, T0 + timedelta(hours=1))
        # Activity moves the oldest conversation to the front.
        await storage.conversations.append(ids[0], a, [msg("back", at=T0 + timedelta(hours=2))])
        expected = [ids[0], ids[4], ids[3], ids[2], ids[1]]
        assert [c.id for c in await storage.conversations.list_for(a, 10)] == expected
        first = await storage.conversations.list_for(a, 2)
        assert [c.id for c in first] == expected[:2]
        rest = await storage.conversations.list_for(a, 10, before=first[-1].updated_at)
        assert [c.id for c in rest] == expected[2:]
        assert await storage.conversations.list_for(a, 0) == []
        assert await storage.conversations.list_for(a, 10, before=T0) == []

    async def test_activity_never_moves_back_in_time(self, storage: Storage) -> None:
        a, _ = await users(storage)
        late = T0 + timedelta(hours=1)
        convo = await storage.conversations.create(a, T0, [msg("q", at=late)])
        await storage.conversations.append(convo.id, a, [msg("stale", at=T0)])
        summary = await storage.conversations.get(convo.id, a)
        assert summary is not None and summary.updated_at == late

    async def test_delete_removes_the_conversation_and_its_messages(
        self, storage: Storage
    ) -> None:
        a, _ = await users(storage)
        gone = await storage.conversations.create(a, T0, [msg("bye"), msg("ok", "assistant")])
        kept = await storage.conversations.create(a, T0, [msg("stay")])
        assert await storage.conversations.delete(gone.id, a)
        assert not await storage.conversations.delete(gone.id, a)
        assert await storage.conversations.get(gone.id, a) is None
        with pytest.raises(NotFound):
            await storage.conversations.messages(gone.id, a)
        assert [c.id for c in await storage.conversations.list_for(a, 10)] == [kept.id]
        assert contents(await storage.conversations.messages(kept.id, a)) == ["stay"]

    async def test_meta_round_trips_exactly(self, storage: Storage) -> None:
        a, _ = await users(storage)
        meta: dict[str, JsonValue] = {
            "tool_calls": [{"id": "call_1", "name": "recommend", "arguments": {"mood": "calm"}}],
            "usage": {"input_tokens": 12, "output_tokens": 2**70},
            "cached": False,
            "score": 0.125,
            "tracks": [{"id": "t1", "name": "Déjà vu ✨", "album": None}],
            "a.dotted": {"$dollar": "kept"},
        }
        message = NewMessage(role="assistant", content="", created_at=T0, meta=meta)
        tool = msg('{"tracks": []}', "tool", tool_call_id="call_1", name="recommend")
        convo = await storage.conversations.create(a, T0)
        added = await storage.conversations.append(convo.id, a, [message, tool])
        stored = await storage.conversations.messages(convo.id, a)
        assert stored == added
        assert stored[0].meta == meta
        assert stored[1].meta == {"tool_call_id": "call_1", "name": "recommend"}
        assert [m.role for m in stored] == ["assistant", "tool"]

    async def test_title_is_the_first_user_message_cut_short(self, storage: Storage) -> None:
        a, _ = await users(storage)
        convo = await storage.conversations.create(a, T0, [msg("You are EchoTune.", "system")])
        assert convo.title == ""
        long = "  Something   upbeat\nfor a run, " + "la " * 40
        await storage.conversations.append(convo.id, a, [msg(long), msg("Sure", "assistant")])
        await storage.conversations.append(convo.id, a, [msg("and another question")])
        summary = await storage.conversations.get(convo.id, a)
        assert summary is not None
        assert summary.title.startswith("Something upbeat for a run, la la")
        assert len(summary.title) <= TITLE_MAX and summary.title.endswith("la…")
        short = await storage.conversations.create(a, T0, [msg(" Hi\tthere ")])
        assert short.title == "Hi there"

    async def test_last_provider_follows_the_latest_answer(self, storage: Storage) -> None:
        a, _ = await users(storage)
        answer = msg("hello", "assistant", provider="openai", model="gpt-4o-mini")
        convo = await storage.conversations.create(a, T0, [msg("hi"), answer])
        assert convo.last_provider == "openai"
        await storage.conversations.append(convo.id, a, [msg("thanks")])
        later = msg("np", "assistant", provider="local")
        await storage.conversations.append(convo.id, a, [later])
        summary = await storage.conversations.get(convo.id, a)
        assert summary is not None and summary.last_provider == "local"

    async def test_an_empty_append_changes_nothing(self, storage: Storage) -> None:
        a, _ = await users(storage)
        convo = await storage.conversations.create(a, T0, [msg("hi")])
        assert await storage.conversations.append(convo.id, a, []) == []
        assert await storage.conversations.get(convo.id, a) == convo
