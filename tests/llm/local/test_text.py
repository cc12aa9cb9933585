"""Numbers, lengths and positions as people type them."""

from __future__ import annotations

import pytest

from echotune.llm.local.text import count, minutes, ordinal, tokens


@pytest.mark.parametrize(("text", "expected"), [
    ("make me a 45-minute focus playlist", 45), ("an hour of jazz", 60),
    ("half an hour of chill", 30), ("an hour and a half", 90), ("one and a half hours", 90),
    ("1.5 hours", 90), ("2h30", 150), ("two hours", 120), ("twenty minutes", 20),
    ("a quarter of an hour", 15), ("90 min", 90), ("an hour-long mix", 60),
    ("a 2-hour party playlist", 120), ("thirty-five minutes", 35), ("that one", None),
    ("1 hour 15 minutes", 75),
])  # fmt: skip
def test_minutes(text: str, expected: int | None) -> None:
    assert minutes(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("give me twenty songs", 20), ("a playlist of 20 songs", 20), ("a dozen chill tracks", 12),
    ("5 upbeat pop songs", 5), ("twenty-five tracks", 25), ("that one", None),
    ("a couple of songs", 2), ("a playlist of twenty songs", 20), ("an hour of songs", None),
])  # fmt: skip
def test_count(text: str, expected: int | None) -> None:
    assert count(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("why the second one", 2), ("the 3rd", 3), ("#4", 4), ("number 2", 2),
    ("the last one", -1), ("that one", None), ("play track 5", 5),
])  # fmt: skip
def test_ordinal(text: str, expected: int | None) -> None:
    assert ordinal(text) == expected


def test_tokens_split_hyphens_and_keep_ampersands() -> None:
    assert tokens("Lo-fi HIP_hop & R&B, what's up?") == [
        "lo", "fi", "hip", "hop", "&", "r&b", "what's", "up"
    ]  # fmt: skip
