"""Pulling the arguments out of an utterance: named tracks and artists first
(their words are then hidden, so "Happy by Pharrell" is no mood), then
moods, activities and genres, counts, lengths, a playlist name.

Names keep the user's casing; everything else is matched lower-case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from echotune.llm.local.plan import Args
from echotune.llm.local.text import count, minutes, tokens
from echotune.llm.local.vocabulary import Lexicon
from echotune.llm.types import JSONValue

EntityKind = Literal["track", "artist", "by_artist", "called"]

_STOP = re.compile(
    r"(?i)\s*(?:[,;!?]|\.(?:\s|$)|\s(?:for|but|please|with|while|when|because|so|then|instead"
    r"|to\s+(?:my|the)\s+(?:queue|list)|and\s+(?:then|make|push|play|save|queue|put|add|create"
    r"|build|also|send)|on\s+spotify)\b)"
)  # fmt: skip
_LEAD = re.compile(r"(?i)^(?:the\s+(?:song|track|tune|band|artist|group|singer)\s+)")
_TAIL = re.compile(r"(?i)(?:\s+(?:songs?|tracks?|music|stuff|tunes|please|again|now|next))+$")
_FILLER = r"(?:(?:a\s+(?:bit|little)|kind\s+of|sort\s+of|just|more|similar|a\s+lot)\s+)?"
_NOUN = (r"(?:songs?|tracks?|music|stuff|something|anything|artists?|bands?|tunes|bangers|ones|"
         r"playlists?|mix)")  # fmt: skip
_PATTERNS: tuple[tuple[EntityKind, re.Pattern[str]], ...] = (
    ("called", re.compile(r"(?i)\b(?:called|named|titled|call\s+it|name\s+it)\s+(?P<x>.+)")),
    ("track", re.compile(
        r"(?i)\b(?:more\s+(?:(?:songs?|tracks?|music|stuff)\s+)?(?:just\s+)?like|similar\s+to|"
        r"sounds?\s+like|like\s+the\s+(?:song|track))\s+(?P<x>.+)")),
    ("artist", re.compile(
        r"(?i)\b" + _NOUN + r"\s+" + _FILLER + r"like\s+(?P<x>.+)"
        r"|\bin\s+the\s+style\s+of\s+(?P<y>.+)"
        r"|\b(?:fans?\s+of|inspired\s+by|if\s+i\s+like|i'm\s+into|i\s+am\s+into)\s+(?P<z>.+)"
        r"|^i\s+(?:really\s+)?(?:like|love|enjoy|dig)\s+(?P<w>.+)")),
    ("by_artist", re.compile(
        r"(?i)\b(?:songs?|tracks?|music|stuff|hits|albums?|anything|something|more|some)\s+"
        r"(?:\w+\s+)?(?:by|from)\s+(?P<x>(?!the\s+\d0s|\d0s)(?!(?:the|my|this|that|these)"
        r"\s+(?:list|playlist)).+)")),
)  # fmt: skip
_QUOTED = re.compile(r"[\"“”]([^\"“”]{1,120})[\"“”]")
_BY = re.compile(r"(?i)^(?P<title>.+?)\s+(?:by|-|–|—)\s+(?P<artist>.+)$")
_DIVERSE = re.compile(r"(?i)\b(?:variety|varied|diverse|mix\s+it\s+up|different|surprise\s+me|"
                      r"discover|new\s+(?:music|stuff|artists)|fresh|eclectic)\b")  # fmt: skip


@dataclass(frozen=True)
class Entity:
    kind: EntityKind
    value: str
    span: tuple[int, int]  # from its cue to its end: hidden from the vocabulary

    @property
    def title_by(self) -> tuple[str, str] | None:
        match = _BY.match(self.value)
        return (match["title"], match["artist"]) if match else None


def cut(text: str) -> str:
    """A name up to the first word that starts another part of the request."""
    match = _STOP.search(text)
    value = (text[: match.start()] if match else text).strip().strip("\"'“”").strip()
    return _TAIL.sub("", _LEAD.sub("", value)).strip()


def entity(text: str) -> Entity | None:
    """The first named thing: a playlist or search title, a track, or an artist."""
    quoted = _QUOTED.search(text)
    for kind, pattern in _PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        raw = next(g for g in match.groups() if g is not None)
        if quoted and quoted.start() >= match.start():
            return Entity(kind, quoted.group(1).strip(), (match.start(), quoted.end()))
        value = cut(raw)
        if value:
            at = text.find(value, match.start())
            return Entity(kind, value, (match.start(), at + len(value) if at >= 0 else len(text)))
    if quoted:
        return Entity("called", quoted.group(1).strip(), quoted.span())
    return None


@dataclass
class Slots:
    moods: list[str] = field(default_factory=list)
    activities: list[str] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    artists: list[str] = field(default_factory=list)
    count: int | None = None
    minutes: int | None = None
    diverse: bool = False
    unknown_words: int = 0  # words that are neither vocabulary nor filler
    negated: int = 0  # vocabulary words said not to want ("nothing too sad")

    @property
    def shaping(self) -> bool:
        return bool(self.moods or self.activities or self.genres or self.artists)

    def recommend_args(self) -> Args:
        args: Args = {}
        if self.moods:
            args["mood"] = self.moods[0]
        if self.activities:
            args["activity"] = self.activities[0]
        if self.genres:
            args["genres"] = list[JSONValue](self.genres[:5])
        if self.artists:
            args["seed_artists"] = list[JSONValue](self.artists[:5])
        if self.diverse:
            args["diversity"] = 0.7
        return args

    def merged(self, other: Slots) -> Slots:
        return Slots(
            self.moods + other.moods, self.activities + other.activities,
            self.genres + other.genres, self.artists + other.artists,
            other.count or self.count, other.minutes or self.minutes,
            self.diverse or other.diverse, self.unknown_words + other.unknown_words,
            self.negated + other.negated,
        )  # fmt: skip


# Words that carry no slot of their own: what is left over may be a name.
_FILL_WORDS = frozenset((
    "a", "an", "the", "some", "any", "me", "us", "i", "i'm", "im", "my", "for", "to", "of", "and",
    "or", "with", "in", "on", "at", "while", "when", "please", "play", "put", "make", "give",
    "get", "find", "show", "recommend", "suggest", "something", "anything", "stuff", "songs",
    "song", "tracks", "track", "tunes", "tune", "music", "playlist", "mix", "list", "more", "few",
    "couple", "new", "good", "great", "nice", "vibe", "vibes", "mood", "feeling", "feel", "want",
    "need", "like", "would", "love", "could", "can", "you", "just", "really", "little", "bit",
    "kind", "sort", "also", "now", "today", "tonight", "this", "that", "it", "be", "am", "is",
    "are", "what's", "whats", "minutes", "minute", "hour", "hours", "mins", "min", "long",
    "songs'", "tracks'", "ones", "banger", "bangers", "jams",
))  # fmt: skip



_NEGATIONS = frozenset(("no", "not", "don't", "dont", "never", "without", "except", "hate",
                        "nothing", "avoid", "isn't", "aren't", "less"))  # fmt: skip


def _negated(words: list[str], start: int) -> bool:
    before = words[max(0, start - 3) : start]
    return bool(_NEGATIONS.intersection(before)) or " ".join(before[-2:]) in (
        "anything but", "everything but", "but not")  # fmt: skip


def slots(text: str, lexicon: Lexicon, hide: tuple[int, int] | None = None) -> Slots:
    """Vocabulary, count and length of `text`; the `hide` span is a name, not words.

    A word negated in its clause ("nothing too sad", "anything but jazz") is left out."""
    visible = f"{text[: hide[0]]} , {text[hide[1] :]}" if hide else text
    out = Slots(count=count(visible), minutes=minutes(visible), diverse=bool(_DIVERSE.search(text)))
    for clause in re.split(r"[,;.!?]", visible):
        words = tokens(clause)
        hits = lexicon.find(words)
        for hit in hits:
            if _negated(words, hit.start):
                out.negated += 1
                continue
            bucket = {"mood": out.moods, "activity": out.activities, "genre": out.genres}[hit.kind]
            if hit.name not in bucket:
                bucket.append(hit.name)
        covered = {i for hit in hits for i in range(hit.start, hit.end)}
        out.unknown_words += sum(
            1 for i, w in enumerate(words)
            if i not in covered and w not in _FILL_WORDS and w not in _NEGATIONS and not w.isdigit()
        )  # fmt: skip
    return out


def split_names(value: str) -> list[str]:
    """Several artists: "Daft Punk, Justice and Air" (an ampersand stays in a name)."""
    parts = re.split(r"(?i)\s*(?:,|\band\b|\bor\b|/)\s*", value)
    return [p.strip() for p in parts if p.strip()][:5]
