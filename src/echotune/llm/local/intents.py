"""From a user's message to a Decision, by rules tried in order: small talk,
an answer to the assistant's own question, explain, playback, listening
stats, then music requests (playlist, similar, search, recommend)."""

from __future__ import annotations

import re
from collections.abc import Collection

from echotune.llm.local.commands import PlaybackRules
from echotune.llm.local.history import History
from echotune.llm.local.music import MusicRules, on_track, search_query
from echotune.llm.local.plan import Decision, Say, plan
from echotune.llm.local.references import clean, is_pointer
from echotune.llm.local.replies import (
    NEVER_MIND,
    THANKS,
    Question,
    greeting,
    not_sure,
    open_question,
)
from echotune.llm.local.text import tokens
from echotune.llm.local.vocabulary import Lexicon

_GREETING = re.compile(
    r"(?i)^(?:hi|hello|hey|hiya|yo|howdy|sup|hola|good\s+(?:morning|afternoon|evening|day)|"
    r"greetings)(?:\s+(?:there|echotune|assistant|again|friend|all))*$"
)  # fmt: skip
_HELP = re.compile(
    r"(?i)^(?:help|\?+|what\s+can\s+(?:you|i)\s+(?:do|ask|say)|what\s+do\s+you\s+do|how\s+does\s+"
    r"(?:this|it)\s+work|how\s+do\s+i\s+use\s+(?:this|you)|who\s+are\s+you|what\s+are\s+you|"
    r"commands|options|menu|what\s+are\s+your\s+(?:features|commands|skills))\b"
)  # fmt: skip
_THANKS = re.compile(
    r"(?i)^(?:thanks|thank\s+you|thx|ty|cheers|great|cool|nice|awesome|perfect|love\s+it|got\s+it|"
    r"brilliant|amazing|sweet|ok|okay|yes|yeah|yep)(?:\s+\w+){0,3}$"
)  # fmt: skip
_CANCEL = re.compile(r"(?i)^(?:never\s*mind|cancel|forget\s+(?:it|that|about\s+it)|no|nope|nah|"
                     r"no\s+thanks?|not\s+now|nothing)$")  # fmt: skip
_HEAD = re.compile(
    r"(?i)^(?:(?:hey|hi|hello|ok|okay|so|um+|uh+|yo|well|alright|echotune)\b[\s,!.]*)*"
    r"(?:(?:please|pls|can\s+you|could\s+you|would\s+you|will\s+you|can\s+u|could\s+u|would\s+"
    r"you\s+mind|i\s+want\s+you\s+to|i'd\s+like\s+you\s+to)\s+)*(?:please\s+)?"
)  # fmt: skip
_TAIL = re.compile(r"(?i)(?:[\s,]+(?:please|pls|thanks|thank\s+you|thx|for\s+me|right\s+now))*"
                   r"[\s.!?]*$")  # fmt: skip
_QUESTION = re.compile(r"(?i)^(?:what|how|who|when|where|why|is|are|can|do|does|should|could|would|"
                       r"will|tell|yes|no)\b")  # fmt: skip
_WHY = re.compile(r"(?i)^(?:why|how\s+come|explain|what\s+made\s+you|what'?s\s+the\s+reason|"
                  r"reason\s+for|tell\s+me\s+why|tell\s+me\s+(?:more\s+)?about)\b"
                  r"\s*(?P<rest>.*)$")  # fmt: skip
_WHY_LEAD = re.compile(
    r"(?i)^(?:(?:did|do|would|have|'d)\s+)?(?:you\s+)?(?:(?:just|even|also)\s+)?(?:suggest|recommend|"
    r"pick|choose|chose|add|include|play|put|give|select)(?:ed|s)?\s+(?:me\s+)?|^(?:is|was|are|"
    r"were)\s+|^(?:why|you)\s+|^(?:the\s+)?(?:recommendation|pick|choice)\s+(?:of|for)\s+"
)  # fmt: skip
_WHY_TAIL = re.compile(
    r"(?i)\s+(?:(?:on|in|to|for)\s+(?:the|my|this|that|your)\s+(?:list|playlist|mix|"
    r"recommendations)|recommended|suggested|picked|chosen|there|here|included|to\s+me|for\s+me"
    r"|in\s+there)$"
)  # fmt: skip
_STATS = re.compile(
    r"(?i)\b(?:stats|statistics|wrapped|listening\s+(?:history|habits|time|stats|activity)|most[\s-]"
    r"played|(?:top|favou?rite)\s+(?:\d+\s+)?(?:artists?|tracks?|songs?|genres?|bands?)|how\s+"
    r"(?:much|many|often|long)\b.*\b(?:listen|play|minutes|hours|songs|tracks)|(?:what|which|who)"
    r"\b.*\b(?:i|i've)\b.*\b(?:listen|play|hear)\w*|(?:listened|played)\s+(?:to\s+)?(?:the\s+)?"
    r"most)"
)  # fmt: skip
_ADVICE = re.compile(r"(?i)\b(?:should|could|can|shall|might|to)\s+i\b|\bi\s+(?:should|could|can|"
                     r"might)\b")  # fmt: skip
_PERIODS = (
    ("week", re.compile(r"(?i)\b(?:week|weekly|7\s+days|seven\s+days)\b")),
    ("year", re.compile(r"(?i)\b(?:year|yearly|annual|12\s+months|twelve\s+months|20\d\d|"
                        r"wrapped)\b")),
    ("all", re.compile(r"(?i)\b(?:ever|all[\s-]time|overall|of\s+all|forever|since\s+(?:i\s+)?"
                       r"(?:joined|started|the\s+beginning))\b")),
    ("month", re.compile(r"(?i)\b(?:month|monthly|30\s+days|thirty\s+days|lately|recently)\b")),
)  # fmt: skip


def normalise(text: str) -> str:
    text = " ".join(text.replace("’", "'").replace("‘", "'").split())
    return _TAIL.sub("", _HEAD.sub("", text)).strip()


class Intents:
    def __init__(self, lexicon: Lexicon) -> None:
        self.music = MusicRules(lexicon)
        self.playback = PlaybackRules(self.music.decide)

    def decide(self, text: str, history: History, offered: Collection[str]) -> Decision | None:
        """None when no rule applies (the caller may try other means, then `last_resort`)."""
        said = " ".join(text.split()).strip(" !.,")
        if not said or _GREETING.match(said):
            return Say(greeting(offered))
        t = normalise(said)
        if not t or _HELP.match(t):
            return Say(greeting(offered))
        question = open_question(history.last_reply)
        if question is not None:
            answer = self._answer(question, t, history)
            if answer is not None:
                return answer
        if _THANKS.match(t):
            return Say(THANKS)
        if _CANCEL.match(t):
            return Say(NEVER_MIND)
        for rule in (self._explain, self.playback.decide, self._stats, self.music.decide):
            decision = rule(t, history)
            if decision is not None:
                return decision
        return None

    def last_resort(self, text: str, offered: Collection[str]) -> Decision:
        """A few words and no cue: most likely a title or an artist to look up."""
        t = normalise(text)
        if 0 < len(tokens(t)) <= 6 and not _QUESTION.match(t) and "search_catalog" in offered:
            return plan("search_catalog", query=search_query(t), limit=5)
        return Say(not_sure(offered))

    def _answer(self, question: Question, t: str, history: History) -> Decision | None:
        if question == "playlist":
            return self.music.answer_playlist(t, history)
        if question not in ("explain", "similar", "play", "queue"):
            return None
        if is_pointer(t) or history.by_name(clean(t)) is not None:
            return on_track(question, t, history)
        if self.music.decide(t, history) is None and self.playback.decide(t, history) is None:
            return on_track(question, t, history)
        return None

    def _explain(self, t: str, history: History) -> Decision | None:
        match = _WHY.match(t)
        if not match or _STATS.search(t):
            return None
        target = match["rest"]
        for _ in range(3):
            target = _WHY_TAIL.sub("", _WHY_LEAD.sub("", target.strip()))
        return on_track("explain", target, history)

    def _stats(self, t: str, history: History) -> Decision | None:
        if not _STATS.search(t) or _ADVICE.search(t):
            return None
        period = next((name for name, pattern in _PERIODS if pattern.search(t)), None)
        return plan("get_listening_stats", period=period)
