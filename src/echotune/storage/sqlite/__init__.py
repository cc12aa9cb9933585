"""The embedded SQLite backend: one file, WAL, one worker thread.

What plugs in here: a repository per Protocol of `echotune.storage.base`
(tracks.py, artists.py, users.py, listening.py, feedback.py, links.py,
auth.py, playlist_writes.py, conversations.py), all sharing one `SqliteDb`
(db.py), bundled by `SqliteStorage` (storage.py). Schema changes plug in as
a new numbered file in migrations/ (0002_what.sql ...), applied once by
migrate.py.
"""

from echotune.storage.sqlite.storage import SqliteStorage

__all__ = ["SqliteStorage"]
