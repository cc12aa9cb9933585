"""Personal recommendations for one listener, answered from memory in milliseconds.

A listener's taste profile is cached and rebuilt when their plays or feedback
change (checked with indexed counts and the newest feedback per request), so
feedback changes the very next answer without retraining anything.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from echotune.catalog.models import Track
from echotune.errors import InvalidInput
from echotune.listening.models import Feedback, Play
from echotune.listening.service import cut_page
from echotune.observability.metrics import Metrics
from echotune.recommend.feature_index import FeatureIndex
from echotune.recommend.personal.bounds import ContentBounds
from echotune.recommend.personal.context import canonical, context_targets
from echotune.recommend.personal.explain import Explainer, Reason
from echotune.recommend.personal.models import (
    ContextInfo,
    ModelInfo,
    PersonalRecommendations,
    PersonalRequest,
    RecommendedTrack,
    TasteSummary,
)
from echotune.recommend.personal.pruning import EXACT_BELOW
from echotune.recommend.personal.ranker import RankRequest, rank
from echotune.recommend.personal.store import ModelStore
from echotune.recommend.personal.taste import TasteProfile, build_profile
from echotune.storage.base import FeedbackRepo, ListeningRepo, TrackRepo

# The most recent plays that shape a profile; older taste has decayed anyway.
MAX_PLAYS = 10_000
_PAGE = 2_000


class PersonalRecommendationService:
    def __init__(
        self,
        index: Callable[[], FeatureIndex],
        tracks: TrackRepo,
        listening: ListeningRepo,
        feedback: FeedbackRepo,
        models: ModelStore,
        metrics: Metrics,
    ) -> None:
        self._index = index
        self._tracks = tracks
        self._listening = listening
        self._feedback = feedback
        self._models = models
        self._metrics = metrics
        self._profiles: dict[str, tuple[tuple[object, ...], TasteProfile]] = {}
        self._bounds: tuple[FeatureIndex, ContentBounds | None] | None = None

    def bounds(self, index: FeatureIndex) -> ContentBounds | None:
        """The kernel bounds of this index, built on its first request (~0.1 s per
        million tracks); small catalogs are scored exactly without them."""
        if self._bounds is None or self._bounds[0] is not index:
            built = ContentBounds.build(index) if len(index) >= EXACT_BELOW else None
            # Holding the index itself, not its id: a freed index's id can be reused.
            self._bounds = (index, built)
        return self._bounds[1]

    async def profile(self, user_id: str, index: FeatureIndex | None = None) -> TasteProfile:
        """The listener's taste over `index` (default: the current one)."""
        index = self._index() if index is None else index
        newest = await self._feedback.list_for(user_id, limit=1)
        # The feedback count too: a sync adds saves dated when they were made on
        # Spotify (older than the newest event), and removes unsaved ones.
        stamp = (
            index.serial,  # not id(index): a freed index's id can be reused
            await self._listening.count(user_id),
            await self._feedback.count(user_id),
            _stamp(newest),
        )
        cached = self._profiles.get(user_id)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        plays = await self._recent_plays(user_id)
        feedback = await self._feedback.list_for(user_id, limit=1000)
        profile = build_profile(user_id, index, plays, feedback, datetime.now(UTC))
        self._profiles[user_id] = (stamp, profile)
        return profile

    async def _recent_plays(self, user_id: str) -> list[Play]:
        plays: list[Play] = []
        before: datetime | None = None
        while len(plays) < MAX_PLAYS:
            fetched = await self._listening.page(user_id, before, _PAGE + 1)
            page, before = cut_page(fetched, _PAGE)
            plays.extend(page)
            if before is None:
                break
        return plays

    async def recommend(self, user_id: str, req: PersonalRequest) -> PersonalRecommendations:
        # The model and the index its scores are laid out on, taken together.
        current = self._index()
        index, scorer = self._models.serving(current)
        if index is not current and any(
            index.row_of(t) is None and current.row_of(t) is not None for t in req.seed_tracks
        ):
            # A seed only the new index has: answer on it, without the model
            # for the second or two until the model is re-mapped onto it.
            index, scorer = current, None
        for track_id in req.seed_tracks:
            if index.row_of(track_id) is not None:
                continue
            if index.featureless_track(track_id) is not None:
                # Known from a listening history, but a seed pulls by its sound.
                raise InvalidInput(
                    f"seed_tracks: track '{track_id}' has no audio features yet, "
                    "so it cannot seed recommendations"
                )
            raise InvalidInput(f"seed_tracks: unknown track id '{track_id}'")
        targets = context_targets(req.mood, req.activity, req.hour)
        profile = await self.profile(user_id, index)
        start = time.perf_counter()
        cf = scorer.scores(profile.track_weights) if scorer and profile.track_weights else None
        ranked = rank(index, profile, cf, _rank_request(req, targets), self.bounds(index))
        self._metrics.recommend_latency.labels("personal").observe(time.perf_counter() - start)
        ids = [str(index.ids[r.row]) for r in ranked]
        referenced = {a for a, _ in profile.anchors} | set(profile.liked) | set(profile.played)
        tracks = {t.id: t for t in await self._tracks.get_many(ids)}
        names = {t.id: t for t in await self._tracks.get_many(sorted(referenced)[:5000])}
        explainer = Explainer(index, profile, scorer, {**names, **tracks})
        label = _context_label(req)
        items = [
            _item(tracks[i], r.score, explainer.reasons(r, label, targets))
            for i, r in zip(ids, ranked, strict=True)
            if i in tracks
        ]
        return PersonalRecommendations(
            user_id=user_id,
            cold_start=profile.is_cold,
            plays_considered=profile.plays,
            context=ContextInfo(
                mood=req.mood, activity=req.activity, hour=req.hour, targets=targets
            ),
            model=ModelInfo(
                collaborative=cf is not None,
                trained_at=scorer.artifact.trained_at if scorer else None,
                name=scorer.artifact.name if scorer else None,
            ),
            items=items,
        )

    async def taste_summary(self, user_id: str) -> TasteSummary:
        profile = await self.profile(user_id)
        artists = {
            t.artist_id: t.artist_name
            for t in await self._tracks.get_many([a for a, _ in profile.anchors])
        }
        return TasteSummary(
            plays=profile.plays,
            usual={k: round(v, 2) for k, v in profile.usual.items()},
            top_genres=[g for g, _ in profile.top_genres],
            top_artists=[artists.get(a, a) for a in profile.top_artists[:5]],
        )


def _stamp(newest: list[Feedback]) -> object:
    return (newest[0].at, newest[0].track_id, newest[0].kind) if newest else None


def _context_label(req: PersonalRequest) -> str | None:
    mood = canonical(req.mood) if req.mood else ""
    article = "an" if mood[:1] in ("a", "e", "i", "o", "u") else "a"
    parts = [f"{article} {mood} mood" if mood else "",
             f"{canonical(req.activity)}" if req.activity else ""]  # fmt: skip
    label = " and ".join(p for p in parts if p)
    return label or None


def _rank_request(req: PersonalRequest, targets: dict[str, float]) -> RankRequest:
    return RankRequest(
        limit=req.limit,
        diversity=req.diversity,
        novelty=req.novelty,
        targets=targets,
        seed_track_ids=req.seed_tracks,
        genres=req.genres,
        include_played=req.include_played,
    )


def _item(track: Track, score: float, reasons: list[Reason]) -> RecommendedTrack:
    return RecommendedTrack(
        id=track.id,
        name=track.name,
        artist_id=track.artist_id,
        artist_name=track.artist_name,
        album_name=track.album_name,
        genre=track.genre,
        popularity=track.popularity,
        score=round(score, 4),
        reasons=reasons,
    )
