"""Which track "it", "that one", "the second one" or "Get Lucky" means, from
what the conversation has shown (see history.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from echotune.llm.local.history import History, TrackRef
from echotune.llm.local.text import ordinal

_ORDINAL_PHRASE = re.compile(
    r"(?i)^(?:the\s+)?(?:(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
    r"eleventh|twelfth|last|final)|\d+(?:st|nd|rd|th)|#\s*\d+|number\s+\d+|no\.\s*\d+|"
    r"(?:track|song|pick)\s+(?:number\s+|#\s*)?\d+)(?:\s+(?:one|song|track|tune|pick|suggestion|"
    r"recommendation))?(?:\s+(?:on|in|from|of)\s+(?:the|that|this|your|my)\s+(?:list|playlist))?$"
)  # fmt: skip
_ONE = re.compile(
    r"(?i)^(?:it|this|that|the\s+one|this\s+one|that\s+one|(?:this|that|the)\s+(?:song|track|tune)"
    r"|(?:the\s+)?(?:song|track)\s+you\s+(?:just\s+)?(?:played|picked|suggested|recommended))?$"
)  # fmt: skip
_ALL = re.compile(
    r"(?i)^(?:them|these|those|all|all\s+of\s+(?:them|these|those)|(?:these|those|the)\s+"
    r"(?:songs|tracks|ones|recommendations|picks)|(?:the|this|that|my)\s+(?:playlist|list|mix))$"
)  # fmt: skip
_NOISE = re.compile(r"(?i)^[\s\"'“”]+|[\s\"'“”.!?,]+$|\s+(?:please|again|now|for me|to me)$")


@dataclass(frozen=True)
class Ambiguous:
    """Several tracks could be meant; the assistant asks which."""

    choices: tuple[TrackRef, ...]


@dataclass(frozen=True)
class OutOfRange:
    position: int
    size: int


Resolved = TrackRef | Ambiguous | OutOfRange | str | None


def clean(phrase: str) -> str:
    previous = None
    while previous != phrase:
        previous, phrase = phrase, _NOISE.sub("", phrase)
    return phrase


def is_pointer(phrase: str) -> bool:
    """A phrase that points at something shown ("that one", "#2", "them")."""
    phrase = clean(phrase)
    return bool(_ONE.match(phrase) or _ORDINAL_PHRASE.match(phrase) or _ALL.match(phrase))


def is_plural(phrase: str) -> bool:
    """A phrase for the whole latest list ("them", "these songs", "the playlist")."""
    return bool(_ALL.match(clean(phrase)))


def resolve(history: History, phrase: str) -> Resolved:
    """One track; a str is a name not shown yet (the tools look it up); None: no idea."""
    phrase = clean(phrase)
    if _ORDINAL_PHRASE.match(phrase):
        return _position(history, ordinal(phrase) or 1)
    if _ONE.match(phrase) or _ALL.match(phrase):
        return _latest(history)
    shown = history.by_name(phrase)
    return shown if shown is not None else phrase


def _position(history: History, position: int) -> Resolved:
    tracks = history.last_list
    if not tracks:
        return None
    index = len(tracks) - 1 if position == -1 else position - 1
    if not 0 <= index < len(tracks):
        return OutOfRange(position, len(tracks))
    return tracks[index]


def _latest(history: History) -> Resolved:
    if history.focus is not None and history.focus_at >= history.list_at:
        return history.focus
    if len(history.last_list) == 1:
        return history.last_list[0]
    if history.last_list:
        return Ambiguous(tuple(history.last_list))
    return None
