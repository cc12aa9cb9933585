"""The system prompt, and when a request counts as personal.

A first message that says nothing about the user ("what is shoegaze?") is sent
without the user's taste and marked not personal, so its answer may be shared
through the cache. Anything that mentions the user, continues a conversation or
carries tool results (which hold the user's data) is personal: it carries the
taste summary and its answer is cached for that user only.
"""

from __future__ import annotations

import re

from echotune.recommend.personal.models import TasteSummary

BASE_PROMPT = (
    "You are EchoTune, a music discovery assistant. Answer briefly and warmly. "
    "Use the tools to find, recommend, build playlists, explain, read listening stats "
    "and control playback; never name a track that a tool did not return. When you list "
    "tracks, write one per line as 'Title — Artist'. If a request is unclear, ask one "
    "short question back."
)

_FIRST_PERSON = re.compile(
    r"\b(i|i'm|im|i've|me|my|mine|myself|we|our|us|for me|recommend|suggest|playlist|play|"
    r"pause|skip|queue|stats|listen(ed|ing)?)\b",
    re.IGNORECASE,
)


def is_personal(message: str, has_history: bool) -> bool:
    return has_history or bool(_FIRST_PERSON.search(message))


def taste_line(summary: TasteSummary) -> str:
    if summary.plays == 0:
        return "The listener has no history yet: ask about genres and moods they like."
    usual = ", ".join(f"{k} {v:.2f}" for k, v in list(summary.usual.items())[:4])
    parts = [f"The listener has {summary.plays} plays."]
    if summary.top_genres:
        parts.append(f"Top genres: {', '.join(summary.top_genres[:4])}.")
    if summary.top_artists:
        parts.append(f"Top artists: {', '.join(summary.top_artists[:4])}.")
    if usual:
        parts.append(f"Usual audio features: {usual}.")
    return " ".join(parts)


def system_prompt(summary: TasteSummary | None) -> str:
    if summary is None:
        return BASE_PROMPT
    return f"{BASE_PROMPT}\n\n{taste_line(summary)}"
