"""One MiniLM for the whole test session: loading it takes about half a second."""

from __future__ import annotations

from functools import cache

from echotune.llm.embeddings import MiniLMEmbedder


@cache
def shared_minilm() -> MiniLMEmbedder:
    embedder = MiniLMEmbedder()
    embedder.warm_up()
    return embedder
