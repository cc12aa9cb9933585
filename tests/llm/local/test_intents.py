"""What the assistant calls for realistic first messages: the tool and its key arguments."""

from __future__ import annotations

import pytest

from echotune.llm.local import LocalAssistant
from echotune.llm.types import JSONValue
from tests.llm.local.helpers import CONFIG, ask, call_args

A = LocalAssistant(CONFIG)

# (utterance, tool, arguments that must be there with these values)
TABLE: list[tuple[str, str, dict[str, JSONValue]]] = [
    # recommend by mood, activity, genre, artist
    ("something upbeat for a run", "recommend", {"mood": "upbeat", "activity": "running"}),
    ("chill jazz", "recommend", {"mood": "chill", "genres": ["jazz"]}),
    ("Chill Jazz!!", "recommend", {"mood": "chill", "genres": ["jazz"]}),
    ("songs like Daft Punk", "recommend", {"seed_artists": ["Daft Punk"]}),
    ("music like Daft Punk and Justice for the gym", "recommend",
     {"seed_artists": ["Daft Punk", "Justice"], "activity": "workout"}),
    ("I'm feeling sad", "recommend", {"mood": "sad"}),
    ("something to help me sleep", "recommend", {"activity": "sleep"}),
    ("music for my workout", "recommend", {"activity": "workout"}),
    ("give me 20 upbeat pop songs", "recommend",
     {"limit": 20, "mood": "upbeat", "genres": ["pop"]}),
    ("a dozen mellow tunes for studying", "recommend",
     {"limit": 12, "mood": "chill", "activity": "study"}),
    ("recommend me some rock", "recommend", {"genres": ["rock"]}),
    ("can you recommend some energetic EDM please?", "recommend",
     {"mood": "energetic", "genres": ["edm"]}),
    ("what should I listen to while studying", "recommend", {"activity": "study"}),
    ("I need music for a party", "recommend", {"activity": "party"}),
    ("lo-fi hip-hop to concentrate", "recommend",
     {"activity": "focus", "genres": ["lo-fi", "hip hop"]}),
    ("some dance pop", "recommend", {"genres": ["dance pop"]}),
    ("give me something romantic for date night", "recommend", {"mood": "romantic"}),
    ("surprise me", "recommend", {"diversity": 0.7}),
    ("hey, any good R&B for my commute?", "recommend", {"genres": ["r&b"], "activity": "commute"}),
    ("I like Daft Punk", "recommend", {"seed_artists": ["Daft Punk"]}),
    ("songs for a rainy day", "recommend", {"mood": "chill"}),
    # similar to a track
    ("more like Get Lucky by Daft Punk", "similar_tracks", {"track": "Get Lucky by Daft Punk"}),
    ("something similar to Blinding Lights by The Weeknd", "similar_tracks",
     {"track": "Blinding Lights by The Weeknd"}),
    ('more songs like "Happy"', "similar_tracks", {"track": "Happy"}),
    ("more like Happy by Pharrell Williams", "similar_tracks",
     {"track": "Happy by Pharrell Williams"}),
    # playlists of N tracks or M minutes
    ("make me a 45-minute focus playlist", "create_playlist", {"minutes": 45, "activity": "focus"}),
    ("Make me a 45 minute focus playlist and push it to Spotify", "create_playlist",
     {"minutes": 45, "activity": "focus", "push_to_spotify": True}),
    ("an hour of chill jazz", "create_playlist",
     {"minutes": 60, "mood": "chill", "genres": ["jazz"]}),
    ("half an hour of music for studying", "create_playlist", {"minutes": 30, "activity": "study"}),
    ("build me a playlist of twenty tracks for cooking", "create_playlist",
     {"n_tracks": 20, "activity": "cooking"}),
    ("make a 2 hour road trip playlist called Summer Drive", "create_playlist",
     {"minutes": 120, "activity": "commute", "name": "Summer Drive"}),
    ("an hour and a half of workout music", "create_playlist",
     {"minutes": 90, "activity": "workout"}),
    ("a party playlist", "create_playlist", {"activity": "party"}),
    ("give me 80 rock songs", "create_playlist", {"n_tracks": 80, "genres": ["rock"]}),
    # listening stats
    ("what did I listen to most this month", "get_listening_stats", {"period": "month"}),
    ("who are my top artists this year?", "get_listening_stats", {"period": "year"}),
    ("how many minutes did I listen this week", "get_listening_stats", {"period": "week"}),
    ("my all-time most played songs", "get_listening_stats", {"period": "all"}),
    ("show me my listening stats", "get_listening_stats", {}),
    # explain (no history: the name goes to the tool as typed)
    ("why did you suggest Get Lucky?", "explain_recommendation", {"track": "Get Lucky"}),
    ("Why is Midnight City by M83 on the list?", "explain_recommendation",
     {"track": "Midnight City by M83"}),
    # playback
    ("pause", "playback_control", {"action": "pause"}),
    ("Stop the music please", "playback_control", {"action": "pause"}),
    ("skip", "playback_control", {"action": "next"}),
    ("next song", "playback_control", {"action": "next"}),
    ("go back", "playback_control", {"action": "previous"}),
    ("resume", "playback_control", {"action": "play"}),
    ("turn it off", "playback_control", {"action": "pause"}),
    ("skip to the next song", "playback_control", {"action": "next"}),
    ("Play Blinding Lights by The Weeknd on my kitchen speaker", "search_catalog",
     {"query": 'track:"Blinding Lights" artist:"The Weeknd"'}),
    ("what devices do I have?", "playback_control", {"action": "devices"}),
    ("play it on my laptop", "playback_control", {"action": "devices"}),
    ("play something chill for the gym", "recommend", {"mood": "chill", "activity": "workout"}),
    ("play Get Lucky", "search_catalog", {"query": "Get Lucky", "limit": 5}),
    ("queue Get Lucky by Daft Punk", "search_catalog",
     {"query": 'track:"Get Lucky" artist:"Daft Punk"'}),
    # search
    ("find tracks called Hello", "search_catalog", {"query": "Hello"}),
    ("is there a song named Yellow?", "search_catalog", {"query": "Yellow"}),
    ("songs by Daft Punk", "search_catalog", {"query": 'artist:"Daft Punk"'}),
    ("who sings Get Lucky", "search_catalog", {"query": "Get Lucky"}),
    ("who is Daft Punk", "search_catalog", {"query": "Daft Punk"}),
    ("rock songs from the 80s", "search_catalog", {"query": 'year:1980-1989 genre:"rock"'}),
    ("Daft Punk", "search_catalog", {"query": "Daft Punk"}),
]


def test_the_table_is_big_enough() -> None:
    assert len(TABLE) >= 40


@pytest.mark.parametrize(("text", "tool", "expected"), TABLE, ids=[row[0] for row in TABLE])
def test_first_message_calls_the_right_tool(
    text: str, tool: str, expected: dict[str, JSONValue]
) -> None:
    name, args = call_args(ask(A, text))
    assert name == tool
    assert {k: args.get(k) for k in expected} == expected


def test_a_name_is_not_read_as_a_mood() -> None:
    _, args = call_args(ask(A, "more like Happy by Pharrell Williams, for a party"))
    assert args == {"track": "Happy by Pharrell Williams"}  # no mood "happy", no activity arg


def test_nothing_unasked_is_sent() -> None:
    _, args = call_args(ask(A, "chill jazz"))
    assert set(args) == {"mood", "genres"}


@pytest.mark.parametrize(("text", "expected"), [
    ("nothing too sad, something for cooking", {"activity": "cooking"}),
    ("anything but jazz", {}),
    ("I don't want rock, just chill", {"mood": "chill"}),
    ("chill but upbeat", {"mood": "chill"}),
])  # fmt: skip
def test_what_is_not_wanted_is_left_out(text: str, expected: dict[str, JSONValue]) -> None:
    assert call_args(ask(A, text)) == ("recommend", expected)


@pytest.mark.parametrize(("text", "starts"), [
    ("make a playlist", "Happy to build a playlist! How long"),
    ("a playlist called Road Trip", "Happy to build a playlist! How long"),
    ("more like this", "Which track should I find more like?"),
    ("why that one?", "Which track should I explain?"),
    ("queue the second one", "Which track should I queue?"),
    ("what's playing?", "I can't see what's playing"),
    ("shuffle please", "I can't see what's playing"),
    ("what is the capital of France", "Sorry, I didn't quite get that."),
    ("never mind", "No problem."),
    ("thanks!", "You're welcome!"),
    ("", "Hi! I'm EchoTune's built-in assistant."),
    ("what can you do?", "Hi! I'm EchoTune's built-in assistant."),
])  # fmt: skip
def test_unclear_or_unsupported_asks_back(text: str, starts: str) -> None:
    response = ask(A, text)
    assert response.tool_calls == () and response.finish_reason == "stop"
    assert response.text.startswith(starts), response.text
