"""The one place that names concrete classes and wires them together.

`build_services` assembles everything; `wiring.spotify` and `wiring.chat` build
the Spotify side and the chat/LLM side. Nothing else constructs services.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog

from echotune.accounts.connections import SpotifyConnections
from echotune.accounts.login import LoginService
from echotune.accounts.sessions import SessionService
from echotune.catalog.service import CatalogService
from echotune.chat.service import ChatService
from echotune.listening.service import HistoryService
from echotune.observability.health import HealthService
from echotune.observability.instrumented import timed
from echotune.observability.metrics import Metrics
from echotune.playback.service import PlaybackService
from echotune.playlists.spotify_push import PlaylistPushService
from echotune.recommend.personal.service import PersonalRecommendationService
from echotune.recommend.personal.store import ModelStore
from echotune.recommend.service import DiscoveryService
from echotune.settings import Settings
from echotune.storage.base import Storage
from echotune.storage.factory import open_storage
from echotune.sync.background import BackgroundSync
from echotune.sync.jobs import SyncJobs
from echotune.sync.service import SyncService
from echotune.users.service import UserService
from echotune.wiring.chat import ChatParts, build_chat
from echotune.wiring.spotify import SpotifyParts, build_spotify

log = structlog.get_logger(__name__)


@dataclass
class Services:
    settings: Settings
    metrics: Metrics
    storage: Storage
    catalog: CatalogService
    users: UserService
    discovery: DiscoveryService
    models: ModelStore
    personal: PersonalRecommendationService
    health: HealthService
    history: HistoryService
    spotify: SpotifyParts
    llm: ChatParts

    @property
    def sessions(self) -> SessionService:
        return self.spotify.sessions

    @property
    def connections(self) -> SpotifyConnections:
        return self.spotify.connections

    @property
    def login(self) -> LoginService:
        return self.spotify.login

    @property
    def sync(self) -> SyncService:
        return self.spotify.sync

    @property
    def sync_jobs(self) -> SyncJobs:
        return self.spotify.sync_jobs

    @property
    def playback(self) -> PlaybackService:
        return self.spotify.playback

    @property
    def playlist_push(self) -> PlaylistPushService:
        return self.spotify.playlist_push

    @property
    def background_sync(self) -> BackgroundSync:
        return self.spotify.background_sync

    @property
    def chat(self) -> ChatService:
        return self.llm.chat

    async def close(self) -> None:
        # Syncs first: a stopped sync may still schedule a retrain on its way out.
        await self.spotify.sync_jobs.stop()
        await self.spotify.background_sync.stop()
        await self.models.stop()
        await self.llm.aclose()
        await self.spotify.connections.aclose()
        await self.storage.close()


async def build_services(settings: Settings, metrics: Metrics | None = None) -> Services:
    metrics = metrics or Metrics()
    storage = await open_storage(settings)
    backend = (await storage.status()).backend
    tracks = timed(storage.tracks, metrics, backend, "tracks")
    artists = timed(storage.artists, metrics, backend, "artists")
    users = timed(storage.users, metrics, backend, "users")
    tokens = timed(storage.tokens, metrics, backend, "tokens")
    discovery = DiscoveryService(tracks, metrics)
    listening = timed(storage.listening, metrics, backend, "listening")
    feedback = timed(storage.feedback, metrics, backend, "feedback")
    models = ModelStore(
        listening,
        discovery.index,
        settings.data_dir / "models",
        refresh_index=discovery.rebuild,
        train_threads=settings.recommend.train_threads,
    )
    personal = PersonalRecommendationService(
        discovery.index, tracks, listening, feedback, models, metrics
    )
    spotify = build_spotify(settings, metrics, storage, backend, on_synced=_retrain(models))
    llm = build_chat(settings, metrics, storage, backend, personal, discovery, spotify)
    return Services(
        settings=settings,
        metrics=metrics,
        storage=storage,
        catalog=CatalogService(tracks, artists),
        users=UserService(users, tokens),
        discovery=discovery,
        models=models,
        personal=personal,
        health=HealthService(storage, discovery),
        history=HistoryService(listening, feedback, tracks, on_imported=_retrain(models)),
        spotify=spotify,
        llm=llm,
    )


def _retrain(models: ModelStore) -> Callable[[str], Awaitable[None]]:
    async def after_import(_user_id: str) -> None:
        # New plays (an import, a Spotify sync) change everyone's neighbours, and
        # new tracks must be indexed to be recommended or to weigh in a taste:
        # re-index and retrain in the background; requests keep the current
        # index and model until the new ones are swapped in.
        models.schedule()

    return after_import


async def bootstrap_catalog(services: Services) -> None:
    """Load the catalog on first start (empty store), then build the feature index."""
    settings = services.settings
    if settings.catalog.autoload and await services.storage.tracks.count() == 0:
        from echotune.catalog.bundled import bundled_catalog_path
        from echotune.catalog.csv_import import import_catalog_csv

        path = settings.catalog.path or bundled_catalog_path()
        log.info("catalog.autoload.start", path=str(path))
        report = await import_catalog_csv(path, services.storage.tracks)
        log.info("catalog.autoload.done", inserted=report.inserted, skipped=report.skipped)
    await services.discovery.rebuild()
    services.models.load()
