"""Replies written from tool results: numbered tracks, totals, stats, apologies, and
never a track the results did not hold."""

from __future__ import annotations

import json
import re

from echotune.llm.local import LocalAssistant
from echotune.llm.types import ChatRequest, JSONValue, Message, ToolCall
from tests.llm.local.helpers import CONFIG, RECOMMENDED, SYSTEM, Chat, Result, track

A = LocalAssistant(CONFIG)
_NUMBERED = re.compile(r"^(\d+)\. (?P<title>.+?) — (?P<artist>.+?)(?: · .*)?$")


def reply_to(name: str, args: dict[str, JSONValue], result: Result | str,
             user: str = "hi") -> str:  # fmt: skip
    """The reply to one tool result, whichever model made the call."""
    call = ToolCall("call_1", name, args)
    content = result if isinstance(result, str) else json.dumps(result)
    messages = (SYSTEM, Message("user", user), Message("assistant", "", tool_calls=(call,)),
                Message("tool", content, tool_call_id="call_1", name=name))  # fmt: skip
    response = A.answer(ChatRequest(messages=messages))
    assert response.finish_reason == "stop" and not response.tool_calls
    return response.text


def numbered(text: str) -> list[tuple[str, str]]:
    found = [_NUMBERED.match(line) for line in text.splitlines()]
    return [(m["title"], m["artist"]) for m in found if m]


def test_recommendations_are_numbered_with_their_reasons() -> None:
    text = reply_to("recommend", {"mood": "upbeat", "activity": "running"},
                    {"tracks": RECOMMENDED, "cold_start": False})  # fmt: skip
    lines = text.splitlines()
    assert lines[0] == "Here are 3 upbeat tracks for running, picked for you:"
    assert lines[1] == "1. Get Lucky — Daft Punk · because you play a lot of Daft Punk"
    assert lines[3] == "3. Electric Feel — MGMT"


def test_only_tracks_from_the_results_are_named() -> None:
    results: list[JSONValue] = [track(f"id{i}", f"Song {i}", f"Artist {i}") for i in range(7)]
    text = reply_to("search_catalog", {"query": "song"}, {"tracks": results})
    shown = {(str(t["name"]), str(t["artist"])) for t in results if isinstance(t, dict)}
    assert numbered(text) == sorted(shown, key=lambda pair: int(pair[0].split()[-1]))


def test_sentences_never_look_like_track_lines() -> None:
    """The chat's reply check drops dashed or bulleted lines it cannot find in the catalog."""
    chat = Chat(LocalAssistant(CONFIG))
    replies = [chat.say(text) for text in (
        "hi", "chill jazz", "why the second one", "more like the first one", "play it",
        "make me a 45-minute focus playlist", "push it to Spotify", "queue Hello",
        "my stats this month", "what devices do I have",
    )]  # fmt: skip
    for line in "\n".join(replies).splitlines():
        if not re.match(r"^\d+\. ", line):
            assert "—" not in line and not line.startswith(("-", "*", "•")), line


def test_a_cold_start_is_explained() -> None:
    text = reply_to("recommend", {}, {"tracks": RECOMMENDED, "cold_start": True})
    assert "I don't know your taste yet" in text


def test_nothing_found_says_what_to_try() -> None:
    text = reply_to("recommend", {"genres": ["polka"]}, {"tracks": []})
    assert numbered(text) == [] and "Try fewer filters" in text
    text = reply_to("search_catalog", {"query": 'track:"Zzz" artist:"Nobody"'}, {"tracks": []})
    assert text.startswith("I couldn't find anything for “Zzz by Nobody”")


def test_a_tool_error_is_an_apology_and_a_next_step() -> None:
    text = reply_to("playback_control", {"action": "pause"},
                    {"error": "Spotify is not connected."})  # fmt: skip
    assert text == ("Sorry, I couldn't control playback: Spotify is not connected. Make sure "
                    "Spotify is connected and open on one of your devices, then try again.")


def test_an_unreadable_result_is_an_error_too() -> None:
    text = reply_to("similar_tracks", {"track": "x"}, "<html>oops")
    assert text.startswith("Sorry, I couldn't find similar tracks: the tool answered with")


def test_a_playlist_shows_totals_and_the_spotify_link() -> None:
    playlist: Result = {"name": "Deep Work", "tracks": RECOMMENDED, "duration_ms": 45 * 60_000}
    text = reply_to("create_playlist", {"minutes": 45, "push_to_spotify": True},
                    {"playlist": playlist, "spotify": {"url": "https://open.spotify.com/p/1"}})
    assert text.startswith("I made “Deep Work” (3 tracks, 45 min):")
    assert len(numbered(text)) == 3
    assert text.endswith("It's on your Spotify: https://open.spotify.com/p/1")
    unpushed = reply_to("create_playlist", {}, {"playlist": playlist, "spotify": None})
    assert unpushed.endswith("Say “push it to Spotify” to save it there.")


def test_stats_are_short_lines() -> None:
    stats: Result = {
        "period": "week", "plays": 42, "minutes": 150,
        "top_tracks": [{"name": "Get Lucky", "artist": "Daft Punk", "plays": 9}],
        "top_artists": [{"name": "Daft Punk", "plays": 20}, {"name": "M83", "plays": 5}],
        "top_genres": [{"name": "edm", "plays": 30}],
    }  # fmt: skip
    assert reply_to("get_listening_stats", {"period": "week"}, stats).splitlines() == [
        "This week: 42 plays, 150 minutes of music.",
        "Your top tracks:",
        "1. Get Lucky — Daft Punk (9 plays)",
        "Top artists: Daft Punk (20), M83 (5)",
        "Top genres: edm (30)",
    ]
    empty = reply_to("get_listening_stats", {}, {"period": "month", "plays": 0})
    assert empty.startswith("This month I don't see any plays yet.")


def test_an_explanation_names_the_track_and_its_reasons() -> None:
    text = reply_to("explain_recommendation", {"track": "t1"},
                    {"track": track("t1", "Get Lucky", "Daft Punk"),
                     "reasons": ["close to what you play", "from your top genre, pop"]})
    assert text == ("Why I picked Get Lucky by Daft Punk: close to what you play; "
                    "from your top genre, pop.")


def test_several_results_make_one_reply_in_order() -> None:
    calls = (ToolCall("a", "recommend", {}), ToolCall("b", "playback_control",
                                                      {"action": "play", "track_ids": ["t1"]}))
    messages = (SYSTEM, Message("user", "play something"),
                Message("assistant", "", tool_calls=calls),
                Message("tool", json.dumps({"tracks": RECOMMENDED}), tool_call_id="a"),
                Message("tool", json.dumps({"ok": True}), tool_call_id="b"))  # fmt: skip
    text = A.answer(ChatRequest(messages=messages)).text
    assert text.endswith("\n\nPlaying Get Lucky by Daft Punk.")
    assert len(numbered(text)) == 3
