"""Which track ids an import has already taken, so the first occurrence wins.

A catalog CSV lists a track once per playlist that holds it, and the copies
may differ (each carries its playlist's genre). The import keeps the first
valid copy in file order and ignores the rest, which needs a memory of every
id taken so far. A Python set of a 1 GB file's ids would cost hundreds of MB,
so the ids live in a private temporary SQLite database instead: SQLite keeps
it in its page cache (bounded by `cache_kib`) and spills to a temp file that
it deletes on close. This is scratch space, not storage, so it does not go
through the storage seam.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from types import TracebackType
from typing import Self

# Below SQLite's bound on host parameters in one statement on every version.
_CHUNK = 500


class SeenIds:
    """A set of ids with bounded memory; use it as a context manager."""

    def __init__(self, cache_kib: int = 16_384) -> None:
        # The importer calls this from worker threads, one call at a time.
        self._db = sqlite3.connect("", check_same_thread=False)
        self._db.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
        # Nothing here must survive a crash, so skip the journal entirely.
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute("CREATE TABLE seen (id TEXT PRIMARY KEY) WITHOUT ROWID")

    def take_new(self, ids: Sequence[str]) -> set[str]:
        """Record `ids` (distinct) and return the ones that were not recorded before."""
        known: set[str] = set()
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT id FROM seen WHERE id IN ({marks})", chunk)
            known.update(row[0] for row in rows)
        new = [i for i in ids if i not in known]
        self._db.executemany("INSERT INTO seen (id) VALUES (?)", ((i,) for i in new))
        self._db.commit()
        return set(new)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
