"""Wiring of the Spotify side: the client stack, account links, login, sync (and its
API jobs), writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from echotune.accounts.connections import SpotifyApi, SpotifyConnections
from echotune.accounts.crypto import TokenCipher
from echotune.accounts.login import LoginService
from echotune.accounts.sessions import SessionService
from echotune.observability.instrumented import timed
from echotune.observability.metrics import Metrics
from echotune.playback.service import PlaybackService
from echotune.playlists.spotify_push import PlaylistPushService
from echotune.settings import Settings
from echotune.spotify.config import SpotifyConfig
from echotune.spotify.stack import build_transport
from echotune.storage.base import Storage
from echotune.sync.background import BackgroundSync
from echotune.sync.jobs import SyncJobs
from echotune.sync.service import OnSynced, SyncService


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
class SpotifyParts:
    sessions: SessionService
    connections: SpotifyConnections
    login: LoginService
    sync: SyncService
    playback: PlaybackService
    playlist_push: PlaylistPushService
    background_sync: BackgroundSync
    sync_jobs: SyncJobs


def build_spotify(
    settings: Settings,
    metrics: Metrics,
    storage: Storage,
    backend: str,
    on_synced: OnSynced | None = None,
) -> SpotifyParts:
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
        timed(storage.feedback, metrics, backend, "feedback"),
        timed(storage.sync_state, metrics, backend, "sync_state"),
        on_synced=on_synced,
    )
    interval = settings.spotify.sync_interval_minutes * 60 if api else 0.0
    return SpotifyParts(
        sessions=sessions,
        connections=connections,
        login=login,
        sync=sync,
        playback=PlaybackService(connections),
        playlist_push=PlaylistPushService(
            connections, timed(storage.playlist_writes, metrics, backend, "playlist_writes")
        ),
        background_sync=BackgroundSync(sync, interval),
        sync_jobs=SyncJobs(sync, connections),
    )
