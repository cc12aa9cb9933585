"""Spotify's signals of taste as feedback, so a sync shapes recommendations.

- A saved track ("Liked Songs") is a `save`, at the time it was saved on Spotify.
- A top track (any time range) is a `like`, at the time a sync first saw it:
  Spotify says when nothing was heard, only that it was heard a lot.
Both are stored with source "spotify", keyed on (user, track, kind, source):
a repeated or resumed sync adds nothing twice, and the listener's own feedback
(no source) is never changed. The two kinds are kept apart so that unsaving a
track that is also a top track removes only the save.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime

from echotune.listening.models import Feedback, FeedbackKind
from echotune.spotify.models import SavedTrack, SpotifyTrack
from echotune.storage.base import FeedbackRepo

SOURCE = "spotify"


class TasteSink:
    def __init__(self, feedback: FeedbackRepo, user_id: str, clock: Callable[[], datetime]) -> None:
        self._feedback = feedback
        self._user_id = user_id
        self._clock = clock

    async def saved(self, items: Sequence[SavedTrack]) -> int:
        """Saves for these saved tracks; returns how many were new."""
        saves = [self._entry(i.track.id, "save", i.added_at) for i in items if i.track.id]
        return await self._feedback.add_many(saves, SOURCE)

    async def top(self, tracks: Sequence[SpotifyTrack]) -> int:
        """Likes for these top tracks; returns how many were new."""
        now = self._clock()
        likes = [self._entry(t.id, "like", now) for t in tracks if t.id]
        return await self._feedback.add_many(likes, SOURCE)

    def _entry(self, track_id: str, kind: FeedbackKind, at: datetime) -> Feedback:
        return Feedback(user_id=self._user_id, track_id=track_id, kind=kind, at=at)

    async def unsaved(self, still_saved: Collection[str]) -> int:
        """After a full pass over the saved tracks: drop the saves of tracks no
        longer among them; returns how many went."""
        return await self._feedback.retain(self._user_id, SOURCE, "save", still_saved)
