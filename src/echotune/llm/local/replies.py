"""The fixed things the assistant says: greeting, help, and its questions back.

A question's first sentence is how the next turn knows it is an answer
(`open_question`), so those sentences must stay stable.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Literal

from echotune.llm.local.history import TrackRef

Question = Literal["playlist", "explain", "similar", "play", "queue"]

_ABILITIES = (
    ("recommend", ("recommend music for a mood, activity, genre or artist: “something upbeat "
                  "for a run”, “chill jazz”, “songs like Daft Punk”")),
    ("similar_tracks", "find tracks like one you love: “more like Get Lucky by Daft Punk”"),
    ("create_playlist", ("build a playlist of so many tracks or minutes: “make me a 45-minute "
                        "focus playlist”, then “push it to Spotify”")),
    ("get_listening_stats", ("show your listening stats: “what did I listen to most this "
                            "month?”")),
    ("explain_recommendation", "explain a pick: “why did you suggest the second one?”"),
    ("playback_control", "control Spotify: “pause”, “skip”, “play it”, “queue Get Lucky”"),
    ("search_catalog", "search the catalog: “find tracks called Hello”"),
)  # fmt: skip

ASK_PLAYLIST = "Happy to build a playlist! "
_ASK_PLAYLIST_REST = (
    "How long should it be, and what is it for? For example “45 minutes for focus”, "
    "“20 upbeat tracks”, or “surprise me” for 20 tracks from your taste."
)
_VERBS: dict[Question, str] = {
    "explain": "explain", "similar": "find more like", "play": "play", "queue": "queue",
}  # fmt: skip
NO_PLAYLIST = (
    "There is no playlist in this chat yet. Ask me for one first (for example “a 30-minute "
    "chill playlist”), then say “push it to Spotify”."
)
THANKS = "You're welcome! Say “more like the first one” or “make it a playlist” any time."
NEVER_MIND = "No problem. Ask me for music whenever you like."
NO_TOOLS = "I can't reach the music tools in this chat right now, so I can't do that yet."


def abilities(offered: Collection[str]) -> str:
    # No bullets: the chat's reply check reads bulleted lines with "by" as track lines.
    lines = [text[0].upper() + text[1:] + "." for tool, text in _ABILITIES if tool in offered]
    if not lines:
        return NO_TOOLS
    return "Here's what I can do:\n" + "\n".join(lines)


def greeting(offered: Collection[str]) -> str:
    return "Hi! I'm EchoTune's built-in assistant. " + abilities(offered)


def not_sure(offered: Collection[str]) -> str:
    return "Sorry, I didn't quite get that. " + abilities(offered)


def ask_playlist() -> str:
    return ASK_PLAYLIST + _ASK_PLAYLIST_REST


def ask_which(question: Question, choices: Sequence[TrackRef] = ()) -> str:
    head = f"Which track should I {_VERBS[question]}?"
    if not choices:
        return f"{head} Tell me its title, like “Get Lucky by Daft Punk”."
    listed = "\n".join(f"{i}. {ref.label}" for i, ref in enumerate(choices[:10], 1))
    return f"{head}\n{listed}\nSay “the second one”, for example."


def out_of_range(size: int) -> str:
    return f"That list only has {size} track{'s' if size != 1 else ''}: pick 1 to {size}."


def open_question(last_reply: str) -> Question | None:
    """The question the assistant's previous reply asked, if it asked one."""
    if last_reply.startswith(ASK_PLAYLIST):
        return "playlist"
    for question, verb in _VERBS.items():
        if last_reply.startswith(f"Which track should I {verb}?"):
            return question
    return None
