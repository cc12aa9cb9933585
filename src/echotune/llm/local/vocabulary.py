"""The words the assistant maps to tool arguments: moods, activities and genres.

`llm/` may not import the recommender, so the real tables come in through
`Vocabulary.build` (the lead passes context.MOODS, ACTIVITIES, SYNONYMS and the
catalog's genre labels); the defaults below mirror them for a standalone run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from echotune.llm.local.text import tokens

Kind = Literal["mood", "activity", "genre"]


@dataclass(frozen=True)
class Term:
    """`name` is the value sent in tool arguments; `synonyms` are other ways to say it."""

    name: str
    synonyms: tuple[str, ...] = ()


def _terms(table: Mapping[str, str]) -> tuple[Term, ...]:
    return tuple(Term(name, tuple(s.strip() for s in syn.split(",") if s.strip()))
                 for name, syn in table.items())  # fmt: skip


# Extra ways people say each name; `build` keeps them for names the real tables share.
_MOOD_WORDS = {
    "happy": "uplifting, cheerful, joyful, feel good, good mood, sunny, positive",
    "sad": "melancholy, melancholic, heartbroken, heartbreak, sad songs, crying, gloomy",
    "calm": "relaxed, relaxing, peaceful, soothing, calming, quiet, gentle, serene, slow, "
            "slow paced, low tempo",
    "chill": "mellow, chilled, chillout, chill out, laid back, easygoing, easy going, "
             "rainy day, sunday morning, lazy",
    "energetic": "hype, hyped, pumped, high energy, intense, powerful, energizing, energising, "
                 "fast, fast paced, high tempo",
    "upbeat": "fun, lively, bouncy, cheery, bright, peppy",
    "romantic": "romance, love songs, date night, sensual, sexy",
    "angry": "aggressive, rage, furious, mad, heavy hitting",
    "dark": "moody, brooding, haunting, eerie, spooky, sinister",
}
_ACTIVITY_WORDS = {
    "workout": "gym, exercise, exercising, training, lifting, weights, working out, "
               "work out, cardio, hiit, crossfit",
    "running": "run, runs, jog, jogging, runner, marathon, 5k, 10k",
    "focus": "concentrate, concentration, concentrating, work, working, deep work, coding, "
             "programming, productive, productivity, focused, focusing",
    "study": "studying, homework, reading, exam, exams, revision",
    "sleep": "sleeping, bedtime, fall asleep, asleep, nap, napping, lullaby, lullabies",
    "party": "dance, dancing, partying, parties, club, clubbing, pregame, pre game",
    "commute": "driving, drive, road trip, commuting, car, train ride, bus ride",
    "cooking": "cook, dinner, kitchen, baking",
    "relax": "unwind, unwinding, wind down, winding down, lounge, lounging",
}  # fmt: skip
_GENRE_WORDS = {
    "pop": "poppy", "rap": "", "rock": "rock n roll, rock and roll", "latin": "latino",
    "r&b": "rnb, r and b, rhythm and blues", "edm": "electronic dance music, electronic dance",
    "hip hop": "hiphop", "dance pop": "", "electropop": "electro pop", "trap": "",
    "classic rock": "", "hard rock": "", "album rock": "", "permanent wave": "",
    "latin pop": "", "reggaeton": "reggaetón", "latin hip hop": "", "tropical": "",
    "neo soul": "", "new jack swing": "", "urban contemporary": "", "hip pop": "",
    "electro house": "", "big room": "", "pop edm": "", "progressive electro house": "",
    "indie poptimism": "", "post-teen pop": "", "southern hip hop": "", "gangster rap": "",
    "jazz": "jazzy", "blues": "bluesy", "soul": "soulful", "funk": "funky", "disco": "",
    "classical": "orchestral", "country": "", "folk": "", "metal": "heavy metal",
    "punk": "", "indie": "", "house": "", "techno": "", "ambient": "", "reggae": "",
    "lo-fi": "lofi", "k-pop": "kpop", "electronic": "electronica", "gospel": "",
    "afrobeats": "afrobeat", "dubstep": "", "drum and bass": "dnb, drum n bass",
}  # fmt: skip

DEFAULT_MOODS = _terms(_MOOD_WORDS)
DEFAULT_ACTIVITIES = _terms(_ACTIVITY_WORDS)
DEFAULT_GENRES = _terms(_GENRE_WORDS)


@dataclass(frozen=True)
class Vocabulary:
    moods: tuple[Term, ...] = DEFAULT_MOODS
    activities: tuple[Term, ...] = DEFAULT_ACTIVITIES
    genres: tuple[Term, ...] = DEFAULT_GENRES

    @classmethod
    def build(
        cls,
        moods: Iterable[str],
        activities: Iterable[str],
        genres: Iterable[str] = (),
        synonyms: Mapping[str, str] | None = None,
    ) -> Vocabulary:
        """From the recommender's names and its synonym table (synonym -> name).

        The built-in extra words of each given name are kept; names the
        recommender does not know are dropped, so every argument sent is valid.
        No genres given: the built-in genre list."""
        extra = dict(synonyms or {})

        def terms(names: Iterable[str], builtin: tuple[Term, ...]) -> tuple[Term, ...]:
            known = {t.name: t.synonyms for t in builtin}
            out = []
            for name in dict.fromkeys(n.strip().lower() for n in names if n.strip()):
                given = tuple(s for s, target in extra.items() if target == name and s != name)
                out.append(Term(name, tuple(dict.fromkeys(given + known.get(name, ())))))
            return tuple(out)

        genre_terms = terms(genres, DEFAULT_GENRES) if genres else DEFAULT_GENRES
        return cls(terms(moods, DEFAULT_MOODS), terms(activities, DEFAULT_ACTIVITIES), genre_terms)


@dataclass(frozen=True)
class Hit:
    kind: Kind
    name: str
    start: int  # token positions
    end: int


class Lexicon:
    """Finds vocabulary phrases in a token list, longest first, never overlapping,
    so "dance pop" is a genre before "dance" can be an activity."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._phrases: dict[tuple[str, ...], tuple[Kind, str]] = {}
        groups: tuple[tuple[Kind, tuple[Term, ...]], ...] = (
            ("genre", vocabulary.genres), ("mood", vocabulary.moods),
            ("activity", vocabulary.activities),
        )  # fmt: skip
        for kind, terms in groups:
            for term in terms:
                for phrase in (term.name, *term.synonyms):
                    key = tuple(tokens(phrase))
                    if key:
                        self._phrases.setdefault(key, (kind, term.name))
        self._longest = max((len(k) for k in self._phrases), default=1)
        self.vocabulary = vocabulary

    def find(self, words: list[str]) -> list[Hit]:
        hits: list[Hit] = []
        i = 0
        while i < len(words):
            for size in range(min(self._longest, len(words) - i), 0, -1):
                found = self._phrases.get(tuple(words[i : i + size]))
                if found:
                    hits.append(Hit(found[0], found[1], i, i + size))
                    i += size
                    break
            else:
                i += 1
        return hits
