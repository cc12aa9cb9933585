"""Words, numbers, durations and ordinals as people type them in a chat.

Number words are read only where a unit or a noun follows ("twenty songs",
"an hour"), so the pronoun in "that one" never turns into a count.
"""

from __future__ import annotations

import re

_UNITS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "dozen": 12, "couple": 2, "few": 5,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "hundred": 100,
}  # fmt: skip
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "last": -1,
    "final": -1,
}  # fmt: skip

_WORD_NUM = (
    r"(?:(?:" + "|".join(_TENS) + r")(?:[\s-](?:" + "|".join(k for k in _UNITS if len(k) > 2)
    + r"))?|(?:a\s+)?(?:couple(?:\s+of)?|few|dozen)|" + "|".join(_UNITS) + r")"
)  # fmt: skip
NUM = r"(\d+(?:\.\d+)?|" + _WORD_NUM + r")"

_HALF_HOUR = re.compile(r"(?i)\bhalf(?:\s+an?|-an)?[\s-]+hours?\b")
_HOUR_AND_HALF = re.compile(
    r"(?i)\b" + NUM + r"(?:\s+and\s+a\s+half[\s-]+hours?|[\s-]+hours?\s+and\s+a\s+half)\b"
)
_QUARTER = re.compile(r"(?i)\b(?:a\s+)?quarter\s+(?:of\s+)?an\s+hour\b")
_HOURS = re.compile(
    r"(?i)\b" + NUM + r"\s*-?\s*(?:hours?|hrs?|h)\b"
    r"(?:\s*(?:and\s+)?(\d+)\s*-?\s*(?:minutes?|mins?|m)\b)?"
)  # fmt: skip
_HOUR_LONG = re.compile(r"(?i)\bhour[\s-]long\b")
_COMPACT = re.compile(r"(?i)\b(\d+)h\s*(\d+)(?:m|min)?\b")
_MINUTES = re.compile(r"(?i)\b" + NUM + r"\s*-?\s*(?:minutes?|mins?|m)\b")
_COUNT = re.compile(
    r"(?i)\b" + NUM + r"\s+(?:(?!(?:of|with|for|and|to|in)\b)(?!\d)[a-z'&-]+\s+){0,3}?"
    r"(?:songs?|tracks?|tunes?|ones|bangers|jams|hits|picks|recommendations|suggestions|records|numbers|pieces)\b"
)  # fmt: skip
_ORDINAL = re.compile(
    r"(?i)\b(?:the\s+)?(?:(" + "|".join(_ORDINALS) + r")|(\d+)(?:st|nd|rd|th))\b"
    r"|(?:#|\bnumber\s+|\bno\.\s*|\b(?:track|song|pick)\s+)(\d+)\b"
)  # fmt: skip
_TOKEN = re.compile(r"[a-z0-9&]+(?:'[a-z]+)?")


def tokens(text: str) -> list[str]:
    """Lower-case words; hyphens and underscores separate words ("lo-fi" = "lo fi")."""
    return _TOKEN.findall(text.lower().replace("-", " ").replace("_", " "))


def number(word: str) -> float | None:
    """A number from digits or English words ("twenty-five", "a couple of")."""
    word = " ".join(word.lower().replace("-", " ").split())
    try:
        return float(word)
    except ValueError:
        pass
    parts = [p for p in word.split() if p not in ("of", "a") or word in ("a",)]
    if not parts:
        return None
    if parts[0] in _TENS:
        rest = _UNITS.get(parts[1], 0) if len(parts) > 1 else 0
        return float(_TENS[parts[0]] + rest)
    value = _UNITS.get(parts[0])
    return float(value) if value is not None else None


def minutes(text: str) -> int | None:
    """The length asked for, in minutes ("45-minute", "an hour and a half", "1h30")."""
    if match := _HOUR_AND_HALF.search(text):
        return _whole((number(match.group(1)) or 0) * 60 + 30)
    if _HALF_HOUR.search(text):
        return 30
    if _QUARTER.search(text):
        return 15
    if match := _COMPACT.search(text):
        return int(match.group(1)) * 60 + int(match.group(2))
    if match := _HOURS.search(text):
        extra = int(match.group(2)) if match.group(2) else 0
        return _whole((number(match.group(1)) or 0) * 60 + extra)
    if _HOUR_LONG.search(text):
        return 60
    if match := _MINUTES.search(text):
        return _whole(number(match.group(1)) or 0)
    return None


def count(text: str) -> int | None:
    """How many tracks are asked for ("20 songs", "a dozen chill tracks")."""
    match = _COUNT.search(text)
    if not match:
        return None
    value = number(match.group(1))
    return _whole(value) if value else None


def ordinal(text: str) -> int | None:
    """1-based position named in the text ("the second one", "#3", "3rd"); -1 is last."""
    match = _ORDINAL.search(text)
    if not match:
        return None
    word, suffixed, numbered = match.groups()
    if word:
        return _ORDINALS[word.lower()]
    return int(suffixed or numbered)


def _whole(value: float) -> int | None:
    return round(value) if value > 0 else None
