"""The word lists: built from the recommender's own tables, matched longest first."""

from __future__ import annotations

from echotune.llm.local import LocalAssistant, Term, Vocabulary
from echotune.llm.local.text import tokens
from echotune.llm.local.vocabulary import Lexicon
from echotune.recommend.personal.context import ACTIVITIES, MOODS, SYNONYMS
from tests.llm.local.helpers import CONFIG, ask, call_args


def test_built_from_the_recommender_tables() -> None:
    vocabulary = Vocabulary.build(MOODS, ACTIVITIES, ["Pop", "dance pop", "R&B"], SYNONYMS)
    assert {t.name for t in vocabulary.moods} == set(MOODS)
    assert {t.name for t in vocabulary.activities} == set(ACTIVITIES)
    assert [t.name for t in vocabulary.genres] == ["pop", "dance pop", "r&b"]
    workout = next(t for t in vocabulary.activities if t.name == "workout")
    assert {"gym", "exercise", "cardio"} <= set(workout.synonyms)  # theirs and ours


def test_only_names_the_recommender_knows_are_sent() -> None:
    assistant = LocalAssistant(CONFIG, Vocabulary.build(["calm"], ["focus"], ["jazz"]))
    _, args = call_args(ask(assistant, "upbeat jazz for studying"))
    assert args == {"genres": ["jazz"]}  # "upbeat" and "study" are not in its tables


def test_custom_terms_and_synonyms() -> None:
    vocabulary = Vocabulary(genres=(Term("shoegaze", ("dream noise",)),))
    _, args = call_args(ask(LocalAssistant(CONFIG, vocabulary), "some dream noise please"))
    assert args == {"genres": ["shoegaze"]}


def test_longest_phrase_wins() -> None:
    hits = Lexicon(Vocabulary()).find(tokens("dance pop to dance to while working out"))
    assert [(h.kind, h.name) for h in hits] == [
        ("genre", "dance pop"), ("activity", "party"), ("activity", "workout")
    ]  # fmt: skip
