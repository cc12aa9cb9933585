"""The chat's small parts: tool arguments, playlist length, personal detection."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from echotune.catalog.models import Track
from echotune.chat.arguments import Args
from echotune.chat.conversation import Conversation, to_message
from echotune.chat.models import ChatMessage
from echotune.chat.playlist_tool import fill_minutes
from echotune.chat.prompt import is_personal, system_prompt, taste_line
from echotune.errors import InvalidInput
from echotune.recommend.personal.models import TasteSummary
from echotune.users.models import User


def track(i: int, minutes: float) -> Track:
    return Track(id=f"t{i:021d}", name=f"Song {i}", artist_id="a", artist_name="A",
                 duration_ms=int(minutes * 60_000))  # fmt: skip


def test_args_accept_what_models_send_and_name_what_is_wrong() -> None:
    args = Args({"limit": "12", "genres": "rock, pop", "push_to_spotify": "true", "minutes": 45})
    assert args.limit() == 12
    assert args.strings("genres") == ["rock", "pop"]
    assert args.flag("push_to_spotify") is True
    assert args.integer("minutes", None, 1, 600) == 45
    with pytest.raises(InvalidInput, match="limit must be between 1 and 50"):
        Args({"limit": 500}).limit()
    with pytest.raises(InvalidInput, match="query is required"):
        Args({}).text("query")
    with pytest.raises(InvalidInput, match="period must be one of"):
        Args({"period": "decade"}).choice("period", ("week", "month"), "month")


def test_a_45_minute_playlist_is_as_close_to_45_minutes_as_whole_tracks_allow() -> None:
    tracks = [track(i, m) for i, m in enumerate([4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 8, 3, 1])]
    chosen = fill_minutes(tracks, 45)
    total = sum(t.duration_ms for t in chosen) / 60_000
    assert abs(total - 45) <= 1
    assert fill_minutes(tracks, 1) == [tracks[13]]  # skips longer tracks to land near 1 minute


def test_personal_requests_carry_the_taste_summary() -> None:
    assert not is_personal("what is shoegaze?", has_history=False)
    assert is_personal("recommend me something upbeat", has_history=False)
    assert is_personal("what is shoegaze?", has_history=True)
    summary = TasteSummary(plays=120, usual={"energy": 0.72, "valence": 0.4},
                           top_genres=["rock"], top_artists=["Queen"])  # fmt: skip
    prompt = system_prompt(summary)
    assert "120 plays" in prompt and "rock" in prompt and "Queen" in prompt and "0.72" in prompt
    assert "no history" in taste_line(TasteSummary(plays=0, usual={}, top_genres=[], top_artists=[]))


def test_stored_tool_turns_become_model_messages_again() -> None:
    now = datetime.now(UTC)
    call = ChatMessage(conversation_id="c", user_id="u", order=1, role="assistant", content="",
                       created_at=now, meta={"tool_calls": [{"id": "x1", "name": "recommend",
                                                             "arguments": {"mood": "happy"}}]})
    result = ChatMessage(conversation_id="c", user_id="u", order=2, role="tool",
                         content='{"tracks": []}', created_at=now,
                         meta={"tool_call_id": "x1", "name": "recommend"})  # fmt: skip
    message = to_message(call)
    assert message.tool_calls[0].name == "recommend"
    assert dict(message.tool_calls[0].arguments) == {"mood": "happy"}
    assert to_message(result).tool_call_id == "x1"
    user = User(id="u", name="u", created_at=now)
    convo = Conversation("c", user, [result, call])
    convo.start_turn("system", "hi")
    roles = [m.role for m in convo.messages()]
    assert roles == ["system", "assistant", "user"]  # a leading orphan tool result is dropped
