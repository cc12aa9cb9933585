"""Why a track was recommended, in words a listener understands."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
from pydantic import BaseModel

from echotune.catalog.models import Track
from echotune.recommend.feature_index import FeatureIndex
from echotune.recommend.personal.collaborative import CollaborativeScorer
from echotune.recommend.personal.ranker import Ranked
from echotune.recommend.personal.taste import TasteProfile
from echotune.recommend.scaling import RAW_COLUMN

ReasonKind = Literal["played", "liked", "usual", "crowd", "context", "genre", "popular", "seed"]

# "Close to your usual X" when within this much of the listener's average.
USUAL_TOLERANCE = {"energy": 0.08, "valence": 0.08, "danceability": 0.08, "acousticness": 0.1}
CROWD_THRESHOLD = 0.35


class Reason(BaseModel):
    kind: ReasonKind
    text: str
    track_id: str | None = None


class Explainer:
    def __init__(
        self,
        index: FeatureIndex,
        profile: TasteProfile,
        cf: CollaborativeScorer | None,
        names: Mapping[str, Track],
    ) -> None:
        self._index = index
        self._profile = profile
        self._cf = cf
        self._names = names

    def reasons(
        self, ranked: Ranked, context: str | None, targets: Mapping[str, float]
    ) -> list[Reason]:
        track_id = str(self._index.ids[ranked.row])
        out: list[Reason] = []
        because = self._because(ranked, track_id)
        if because is not None:
            out.append(because)
        out.extend(self._usual(ranked.row))
        if ranked.collaborative >= CROWD_THRESHOLD:
            out.append(Reason(kind="crowd", text="popular with listeners like you"))
        if context and targets:
            out.append(self._context(ranked.row, context, targets))
        genre = self._index.genre_of_row(ranked.row)
        top = [g for g, _ in self._profile.top_genres[:2]]
        if genre and genre in top:
            out.append(Reason(kind="genre", text=f"from one of your top genres, {genre}"))
        if not out:
            pop = int(self._index.column("popularity")[ranked.row])
            where = f" in {genre}" if genre else ""
            out.append(Reason(kind="popular", text=f"popular{where} (popularity {pop})"))
        return out

    def _title(self, track_id: str) -> str:
        track = self._names.get(track_id)
        return f"{track.name} by {track.artist_name}" if track else track_id

    def _because(self, ranked: Ranked, track_id: str) -> Reason | None:
        if self._cf is not None and ranked.collaborative > 0:
            top = self._cf.explain(self._profile.track_weights, track_id, 1)
            if top:
                seen = top[0][0]
                kind: ReasonKind = "liked" if seen in self._profile.liked else "played"
                verb = "liked" if kind == "liked" else "played"
                return Reason(kind=kind, text=f"because you {verb} {self._title(seen)}", track_id=seen)
        if ranked.content > 0 and self._profile.anchors:
            z = self._index.standardised[ranked.row].astype(np.float64)
            nearest = min(self._profile.anchors, key=lambda a: float(((a[1] - z) ** 2).sum()))
            seen = nearest[0]
            kind = "liked" if seen in self._profile.liked else "played"
            verb = "liked" if kind == "liked" else "played"
            return Reason(kind=kind, text=f"sounds like {self._title(seen)}, which you {verb}", track_id=seen)
        return None

    def _usual(self, row: int) -> list[Reason]:
        out: list[Reason] = []
        for name, tolerance in USUAL_TOLERANCE.items():
            usual = self._profile.usual.get(name)
            if usual is None:
                continue
            value = float(self._index.raw[row, RAW_COLUMN[name]])
            if abs(value - usual) <= tolerance:
                out.append(Reason(kind="usual", text=f"close to your usual {name} {usual:.2f} ({value:.2f})"))
                break
        return out

    def _context(self, row: int, context: str, targets: Mapping[str, float]) -> Reason:
        shown = []
        for name in list(targets)[:2]:
            value = float(self._index.raw[row, RAW_COLUMN[name]])
            shown.append(f"{name} {value:.0f}" if name in ("tempo", "loudness") else f"{name} {value:.2f}")
        return Reason(kind="context", text=f"fits {context}: {', '.join(shown)}")
