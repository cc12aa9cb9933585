"""The one place that names concrete classes and wires them together."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import structlog

from echotune.accounts.connections import SpotifyApi, SpotifyConnections
from echotune.accounts.crypto import TokenCipher
from echotune.accounts.login import LoginService
from echotune.accounts.sessions import SessionService
from echotune.catalog.service import CatalogService
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
from echotune.spotify.config import SpotifyConfig
from echotune.spotify.stack import build_transport
from echotune.storage.base import Storage
from echotune.storage.factory import open_storage
from echotune.sync.background import BackgroundSync
from echotune.sync.service import SyncService
from echotune.users.service import UserService

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
    sessions: SessionService
    connections: SpotifyConnections
    login: LoginService
    sync: SyncService
    playback: PlaybackService
    playlist_push: PlaylistPushService
    background_sync: BackgroundSync

    async def close(self) -> None:
        await self.background_sync.stop()
        await self.models.stop()
        await self.connections.aclose()
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
        listening, discovery.index, settings.data_dir / "models", refresh_index=discovery.rebuild
    )
    personal = PersonalRecommendationService(
        discovery.index, tracks, listening, feedback, models, metrics
    )
    sp = _spotify(settings, metrics, storage, backend)
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
        sessions=sp.sessions,
        connections=sp.connections,
        login=sp.login,
        sync=sp.sync,
        playback=sp.playback,
        playlist_push=sp.playlist_push,
        background_sync=sp.background_sync,
    )


def spotify_config(settings: Settings) -> SpotifyConfig | None:
    """The Spotify app's client config, or None when no client id is set (offline)."""
    sp = settings.spotify
    if not sp.client_id:
        return None
    return SpotifyConfig(
        client_id=sp.client_id,
        client_secret=sp.client_secret.get_secret_value() if sp.client_secret else None,
        redirect_uri=sp.redirect_uri,
        api_base=sp.api_base.rstrip("/"),
        accounts_base=sp.accounts_base.rstrip("/"),
        api_mode=sp.api_mode,
        max_retry_after=sp.max_retry_after,
        timeout=sp.timeout,
        window_seconds=sp.window_seconds,
        window_budget=sp.window_budget,
        cache_entries=sp.cache_entries,
        redis_url=settings.redis_url.get_secret_value() if settings.redis_url else None,
    )


@dataclass
class _SpotifyParts:
    sessions: SessionService
    connections: SpotifyConnections
    login: LoginService
    sync: SyncService
    playback: PlaybackService
    playlist_push: PlaylistPushService
    background_sync: BackgroundSync


def _spotify(settings: Settings, metrics: Metrics, storage: Storage, backend: str) -> _SpotifyParts:
    config = spotify_config(settings)
    api = SpotifyApi(config, build_transport(config, metrics.registry)) if config else None
    users = timed(storage.users, metrics, backend, "users")
    links = timed(storage.spotify_links, metrics, backend, "spotify_links")
    cipher = TokenCipher(settings.secret_key.get_secret_value())
    connections = SpotifyConnections(api, links, cipher)
    sessions = SessionService(
        timed(storage.sessions, metrics, backend, "sessions"),
        users,
        timedelta(days=settings.spotify.session_days),
    )
    login = LoginService(
        connections, users, links,
        timed(storage.login_attempts, metrics, backend, "login_attempts"), sessions, cipher,
    )
    sync = SyncService(
        connections,
        timed(storage.tracks, metrics, backend, "tracks"),
        timed(storage.listening, metrics, backend, "listening"),
        timed(storage.sync_state, metrics, backend, "sync_state"),
    )
    interval = settings.spotify.sync_interval_minutes * 60 if api else 0.0
    return _SpotifyParts(
        sessions=sessions,
        connections=connections,
        login=login,
        sync=sync,
        playback=PlaybackService(connections),
        playlist_push=PlaylistPushService(
            connections, timed(storage.playlist_writes, metrics, backend, "playlist_writes")
        ),
        background_sync=BackgroundSync(sync, interval),
    )


def _retrain(models: ModelStore) -> Callable[[str], Awaitable[None]]:
    async def after_import(_user_id: str) -> None:
        # New plays change everyone's neighbours: retrain in the background,
        # requests keep the current model until the new one is swapped in.
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
