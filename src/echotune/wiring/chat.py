"""Wiring of the chat: language models (discovered providers behind the router and
the caches), the music tools over the domain services, and conversations."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field

import structlog

from echotune.chat.conversation import Conversations
from echotune.chat.playlist_tool import PlaylistTool
from echotune.chat.service import ChatService
from echotune.chat.tools import MusicTools
from echotune.chat.tracks import TrackFinder
from echotune.chat.verify import ReplyVerifier
from echotune.listening.stats import StatsService
from echotune.llm.cache import (
    CacheMetrics,
    CacheStore,
    CachingProvider,
    MemorySemanticIndex,
    MemoryStore,
    RedisSemanticIndex,
    RedisStore,
    SemanticCache,
    SemanticIndex,
)
from echotune.llm.discover import discover_providers
from echotune.llm.embeddings import MiniLMEmbedder
from echotune.llm.local import LocalAssistant
from echotune.llm.local.vocabulary import Vocabulary
from echotune.llm.provider import Provider, ProviderConfig
from echotune.llm.providers.factory import build_provider
from echotune.llm.router.factory import build_router
from echotune.llm.router.router import Router
from echotune.observability.instrumented import timed
from echotune.observability.metrics import Metrics
from echotune.recommend.personal.context import ACTIVITIES, MOODS, SYNONYMS
from echotune.recommend.personal.service import PersonalRecommendationService
from echotune.recommend.service import DiscoveryService
from echotune.settings import Settings
from echotune.storage.base import Storage
from echotune.wiring.spotify import SpotifyParts

log = structlog.get_logger(__name__)


@dataclass
class ChatParts:
    chat: ChatService
    router: Router
    llm: Provider
    embedder: MiniLMEmbedder
    _warm: asyncio.Task[None] | None = field(default=None, repr=False)

    def warm_up(self) -> None:
        """Load the embedding model in a thread, so the first semantic lookup is quick."""
        if self._warm is None:
            self._warm = asyncio.create_task(asyncio.to_thread(self.embedder.warm_up))

    async def aclose(self) -> None:
        if self._warm is not None and not self._warm.done():
            self._warm.cancel()
        await self.llm.aclose()


def _provider(config: ProviderConfig, vocabulary: Vocabulary) -> Provider:
    if config.kind == "local":
        return LocalAssistant(config, vocabulary)
    return build_provider(config)


def _caches(settings: Settings, embedder: MiniLMEmbedder) -> tuple[CacheStore, SemanticCache]:
    redis_url = settings.redis_url.get_secret_value() if settings.redis_url else None
    store: CacheStore = RedisStore.from_url(redis_url) if redis_url else MemoryStore()
    index: SemanticIndex = (
        RedisSemanticIndex.from_url(redis_url) if redis_url else MemorySemanticIndex()
    )
    return store, SemanticCache(embedder, index, threshold=settings.llm.semantic_threshold)


def build_chat(
    settings: Settings,
    metrics: Metrics,
    storage: Storage,
    backend: str,
    personal: PersonalRecommendationService,
    discovery: DiscoveryService,
    spotify: SpotifyParts,
) -> ChatParts:
    vocabulary = Vocabulary.build(MOODS, ACTIVITIES, synonyms=SYNONYMS)
    configs = discover_providers(settings.llm, os.environ)
    log.info("llm.providers", providers=[c.name for c in configs])
    redis_url = settings.redis_url.get_secret_value() if settings.redis_url else None
    router = build_router(
        [_provider(c, vocabulary) for c in configs], settings.llm, metrics.registry, redis_url
    )
    embedder = MiniLMEmbedder()
    store, semantic = _caches(settings, embedder)
    llm = CachingProvider(
        router, store, semantic, ttl=settings.llm.cache_ttl_seconds,
        metrics=CacheMetrics(metrics.registry), write_behind=redis_url is not None,
    )  # fmt: skip
    tracks = timed(storage.tracks, metrics, backend, "tracks")
    finder = TrackFinder(tracks)
    stats = StatsService(timed(storage.listening, metrics, backend, "listening"), tracks)
    tools = MusicTools(
        finder, discovery, personal, stats,
        PlaylistTool(personal, finder, spotify.playlist_push), spotify.playback,
    )  # fmt: skip
    conversations = Conversations(timed(storage.conversations, metrics, backend, "conversations"))
    chat = ChatService(llm, tools, conversations, personal, ReplyVerifier(finder), router.rate)
    return ChatParts(chat=chat, router=router, llm=llm, embedder=embedder)
