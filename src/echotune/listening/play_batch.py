"""PlayBatch: many plays of one user, held in columns, for the history import's hot path.

Measured on a 1M-record export, a pydantic `Play` per record cost more than
decoding the record's JSON, which alone put the import under its target of
100,000 events/s. A `PlayBatch` is still a `Sequence[Play]`, so
`ListeningRepo.stage` takes it unchanged and a backend that does not know it
gets real, validated `Play`s; a backend that does know it reads the columns
directly.

Times are held as ISO-8601 text in one canonical form, UTC to the
millisecond (`2023-02-25T11:20:37.000+00:00`, what `iso_ms` writes): turning
an export's `ts` into that text costs a tenth of building a datetime and
formatting it again, and a backend stores it as it is or parses it once.

Invariants the builder keeps, which backends reading the columns rely on:
every `played_at` is in that canonical form; every `ms_played` is >= 0;
every context is at most 200 characters; all plays are `user_id`'s and came
from `source`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import overload

from echotune.listening.models import Play


def iso_ms(value: datetime) -> str:
    """The canonical text of a time: UTC (naive means UTC), cut to the millisecond."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.isoformat(timespec="milliseconds")


@dataclass(frozen=True, eq=False)
class PlayBatch(Sequence[Play]):
    user_id: str
    source: str
    track_ids: list[str]
    played_at: list[str]
    ms_played: list[int]
    skipped: list[bool]
    contexts: list[str | None]
    genres: list[str | None]

    def __post_init__(self) -> None:
        n = len(self.track_ids)
        columns = (self.played_at, self.ms_played, self.skipped, self.contexts, self.genres)
        if any(len(c) != n for c in columns):
            raise ValueError("PlayBatch columns must all have the same length")

    def __len__(self) -> int:
        return len(self.track_ids)

    @overload
    def __getitem__(self, index: int) -> Play: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Play]: ...

    def __getitem__(self, index: int | slice) -> Play | Sequence[Play]:
        if isinstance(index, slice):
            return [self._play(i) for i in range(*index.indices(len(self)))]
        return self._play(range(len(self))[index])

    def _play(self, i: int) -> Play:
        return Play(
            user_id=self.user_id,
            track_id=self.track_ids[i],
            played_at=datetime.fromisoformat(self.played_at[i]),
            ms_played=self.ms_played[i],
            skipped=self.skipped[i],
            context=self.contexts[i],
            source=self.source,
            genre=self.genres[i],
        )
