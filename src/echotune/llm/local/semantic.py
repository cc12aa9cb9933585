"""Matching phrasing the rules miss ("tell me about my habits") by similarity to
example utterances, when an Embedder is given. Used only after the rules found
nothing, so the common requests never pay for a model call.

A match is turned into a short canonical request ("my listening stats ...")
that the rules then read together with the user's own words, so slots such as
a period or a mood still come from what the user said.
"""

from __future__ import annotations

import threading

import numpy as np

from echotune.llm.embeddings import Embedder, Vectors

_EXAMPLES: dict[str, tuple[str, ...]] = {
    "recommend {}": (
        "what should I put on", "I need new music", "give me something to listen to",
        "any suggestions for me", "surprise me with some tunes", "help me find new songs",
    ),
    "my listening stats {}": (
        "tell me about my listening habits", "what have I been into lately",
        "show me my numbers", "how much time did I spend on music", "my music summary",
    ),
    "make a playlist {}": (
        "put together a collection of songs", "compile a set for tonight",
        "I want a long queue of songs for the evening",
    ),
    "help": ("what are you able to do", "how do I talk to you", "what kind of things can I ask"),
    "pause": ("turn the music off", "I need silence", "stop the sound"),
    "skip": ("I'm bored of this song", "change the song", "not this one"),
    "show my devices": ("where can I play music", "which speakers do I have"),
}  # fmt: skip


class PhraseMatcher:
    def __init__(self, embedder: Embedder, threshold: float = 0.6) -> None:
        self._embedder = embedder
        self._threshold = threshold
        self._lock = threading.Lock()
        self._labels: list[str] = []
        self._vectors: Vectors | None = None

    def warm_up(self) -> None:
        self._examples()

    def canonical(self, text: str) -> str | None:
        """A request the rules understand that means what `text` says, or None."""
        examples = self._examples()
        query = self._embedder.embed([text])
        if query.shape[0] != 1:
            return None
        scores = examples @ query[0]
        best = int(np.argmax(scores))
        if float(scores[best]) < self._threshold:
            return None
        return self._labels[best].format(text)

    def _examples(self) -> Vectors:
        with self._lock:  # the examples are embedded once, on first need
            if self._vectors is None:
                phrases = [(label, p) for label, group in _EXAMPLES.items() for p in group]
                self._labels = [label for label, _ in phrases]
                self._vectors = self._embedder.embed([p for _, p in phrases])
            return self._vectors
