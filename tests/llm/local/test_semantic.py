"""Phrasing the rules miss, matched by similarity to example utterances."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

from echotune.llm.embeddings import Vectors
from echotune.llm.local import LocalAssistant
from tests.llm.cache.minilm import shared_minilm
from tests.llm.local.helpers import CONFIG, ask, call_args


class BagOfWords:
    """A stand-in embedder: words hashed into 256 buckets, L2-normalised."""

    dim = 256

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, zlib.crc32(word.encode()) % self.dim] += 1.0
        norms = np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        normalised: Vectors = (out / norms).astype(np.float32)
        return normalised


def test_a_rule_miss_is_matched_by_similarity() -> None:
    embedder = BagOfWords()
    assistant = LocalAssistant(CONFIG, embedder=embedder)
    assert call_args(ask(assistant, "show me my numbers for this week")) == (
        "get_listening_stats", {"period": "week"})
    # Without an embedder the same words are taken for a title to look up.
    plain = call_args(ask(LocalAssistant(CONFIG), "show me my numbers"))
    assert plain[0] == "search_catalog"


def test_rules_first_so_common_requests_never_embed() -> None:
    embedder = BagOfWords()
    assistant = LocalAssistant(CONFIG, embedder=embedder)
    for text in ("chill jazz", "pause", "make me a 45-minute focus playlist", "hi"):
        ask(assistant, text)
    assert embedder.calls == 0


def test_nothing_close_enough_falls_through() -> None:
    response = ask(LocalAssistant(CONFIG, embedder=BagOfWords()), "what is the capital of France")
    assert response.tool_calls == () and response.text.startswith("Sorry, I didn't quite get")


def test_with_minilm() -> None:
    assistant = LocalAssistant(CONFIG, embedder=shared_minilm())
    assistant.warm_up()
    pause = ("playback_control", {"action": "pause"})
    assert call_args(ask(assistant, "kill the sound")) == pause
    assert call_args(ask(assistant, "I'd like silence")) == pause
