"""Whole turns through a miniature chat loop: references to earlier results, questions
back and their answers, and the two-step plans (recommend then play, and so on)."""

from __future__ import annotations

import pytest

from echotune.llm.local import LocalAssistant
from tests.llm.local.helpers import CONFIG, Chat


@pytest.fixture
def chat() -> Chat:
    return Chat(LocalAssistant(CONFIG))


def test_why_the_second_one_resolves_from_the_earlier_results(chat: Chat) -> None:
    chat.say("something upbeat for a run")
    reply = chat.say("why the second one?")
    assert [(c.name, dict(c.arguments)) for c in chat.turn_calls] == [
        ("explain_recommendation", {"track": "t2"})
    ]
    assert "Midnight City by M83" in reply


def test_a_title_shown_earlier_is_sent_as_its_id(chat: Chat) -> None:
    chat.say("chill jazz")
    chat.say("why did you suggest Electric Feel?")
    assert dict(chat.turn_calls[0].arguments) == {"track": "t3"}


def test_that_one_after_a_list_asks_which_then_takes_the_answer(chat: Chat) -> None:
    chat.say("chill jazz")
    question = chat.say("why that one")
    assert chat.turn_calls == []
    assert question.startswith("Which track should I explain?")
    assert "1. Get Lucky — Daft Punk" in question
    chat.say("the third one")
    assert dict(chat.turn_calls[0].arguments) == {"track": "t3"}


def test_a_position_past_the_end_is_said_plainly(chat: Chat) -> None:
    chat.say("chill jazz")
    assert chat.say("why the fifth one") == "That list only has 3 tracks: pick 1 to 3."


def test_it_means_the_track_just_explained(chat: Chat) -> None:
    chat.say("chill jazz")
    chat.say("why the second one")
    chat.say("more like it")
    assert dict(chat.turn_calls[0].arguments) == {"track": "t2"}


def test_more_like_the_first_one(chat: Chat) -> None:
    chat.say("songs like Daft Punk")
    reply = chat.say("more like the first one")
    assert dict(chat.turn_calls[0].arguments) == {"track": "t1"}
    assert reply.startswith("Tracks like Get Lucky by Daft Punk:")


def test_play_the_second_one_and_play_them_all(chat: Chat) -> None:
    chat.say("chill jazz")
    assert chat.say("play the second one") == "Playing Midnight City by M83."
    assert dict(chat.turn_calls[0].arguments) == {"action": "play", "track_ids": ["t2"]}
    chat.say("chill jazz")
    chat.say("play them")
    assert chat.turn_calls[0].arguments["track_ids"] == ["t1", "t2", "t3"]


def test_push_it_to_spotify_repeats_the_playlist_with_push(chat: Chat) -> None:
    chat.say("make me a 45-minute focus playlist")
    first = dict(chat.turn_calls[0].arguments)
    reply = chat.say("great, now push it to Spotify")
    assert dict(chat.turn_calls[0].arguments) == {**first, "push_to_spotify": True}
    assert "https://open.spotify.com/playlist/abc" in reply


def test_push_with_no_playlist_yet_says_so(chat: Chat) -> None:
    reply = chat.say("push it to Spotify")
    assert chat.turn_calls == [] and "no playlist" in reply


def test_a_playlist_without_length_or_purpose_asks_then_builds(chat: Chat) -> None:
    question = chat.say("make a playlist")
    assert chat.turn_calls == [] and "How long" in question
    chat.say("45 minutes of chill")
    assert dict(chat.turn_calls[0].arguments) == {"minutes": 45, "mood": "chill"}


def test_the_answer_keeps_what_the_first_request_said(chat: Chat) -> None:
    chat.say("make a playlist called Road Trip and push it to Spotify")
    chat.say("surprise me")
    assert dict(chat.turn_calls[0].arguments) == {"name": "Road Trip", "push_to_spotify": True}


def test_a_new_request_instead_of_an_answer_is_taken_as_new(chat: Chat) -> None:
    chat.say("make a playlist")
    chat.say("what did I listen to most this week")
    assert chat.turn_calls[0].name == "get_listening_stats"


def test_play_something_recommends_then_plays_what_came_back(chat: Chat) -> None:
    reply = chat.say("play something upbeat")
    assert [c.name for c in chat.turn_calls] == ["recommend", "playback_control"]
    assert chat.turn_calls[1].arguments == {"action": "play", "track_ids": ["t1", "t2", "t3"]}
    assert "1. Get Lucky — Daft Punk" in reply
    assert reply.endswith("Playing 3 tracks, starting with Get Lucky by Daft Punk.")


def test_queue_a_title_searches_then_queues_the_best_match(chat: Chat) -> None:
    reply = chat.say("queue Hello")
    assert [c.name for c in chat.turn_calls] == ["search_catalog", "playback_control"]
    assert chat.turn_calls[1].arguments == {"action": "queue", "track_ids": ["s1"]}
    assert reply.endswith("Added Hello by Adele to your queue.")


def test_an_unknown_artist_is_tried_as_a_track(chat: Chat) -> None:
    chat.script["recommend"] = {"error": "No artist named 'Harder Better' in the catalog"}
    reply = chat.say("songs like Harder Better")
    assert [c.name for c in chat.turn_calls] == ["recommend", "similar_tracks"]
    assert chat.turn_calls[1].arguments == {"track": "Harder Better"}
    assert "Tracks like Get Lucky by Daft Punk:" in reply


def test_playback_moves_to_the_named_device(chat: Chat) -> None:
    reply = chat.say("play it on my laptop")
    assert chat.turn_calls[1].arguments == {"action": "transfer", "device_id": "d2"}
    assert reply.endswith("Moved playback to Work Laptop.")


def test_an_unknown_device_lists_the_devices(chat: Chat) -> None:
    reply = chat.say("move playback to the bathroom")
    assert [c.name for c in chat.turn_calls] == ["playback_control"]
    assert "2. Work Laptop (Computer, playing now)" in reply
    assert reply.endswith("I couldn't find a device called “bathroom”.")


def test_a_failed_first_step_is_not_followed_up(chat: Chat) -> None:
    chat.script["recommend"] = {"error": "Unknown mood 'zesty'"}
    reply = chat.say("play something upbeat")
    assert [c.name for c in chat.turn_calls] == ["recommend"]
    assert reply.startswith("Sorry, I couldn't get recommendations: Unknown mood 'zesty'.")


def test_greeting_and_thanks_need_no_tools(chat: Chat) -> None:
    assert chat.say("Hi!").startswith("Hi! I'm EchoTune's built-in assistant.")
    assert chat.say("thanks").startswith("You're welcome")
    assert chat.calls == []


def test_make_it_longer_and_more_upbeat_changes_the_last_playlist(chat: Chat) -> None:
    chat.say("make me a 40-minute focus playlist")
    chat.say("make it longer")
    assert dict(chat.turn_calls[0].arguments) == {"activity": "focus", "minutes": 60}
    chat.say("make it 25 tracks and more upbeat")
    assert dict(chat.turn_calls[0].arguments) == {
        "activity": "focus", "n_tracks": 25, "mood": "upbeat"}


def test_more_continues_from_the_last_list(chat: Chat) -> None:
    chat.say("chill jazz")
    chat.say("more please")
    assert dict(chat.turn_calls[0].arguments) == {"seed_track_ids": ["t1", "t2", "t3"]}
