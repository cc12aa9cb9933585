"""The one place that names concrete classes and wires them together."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog

from echotune.catalog.service import CatalogService
from echotune.listening.service import HistoryService
from echotune.observability.health import HealthService
from echotune.observability.instrumented import timed
from echotune.observability.metrics import Metrics
from echotune.recommend.personal.service import PersonalRecommendationService
from echotune.recommend.personal.store import ModelStore
from echotune.recommend.service import DiscoveryService
from echotune.settings import Settings
from echotune.storage.base import Storage
from echotune.storage.factory import open_storage
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

    async def close(self) -> None:
        await self.models.stop()
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
