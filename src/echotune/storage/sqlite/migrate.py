"""Schema migrations: `migrations/NNNN_name.sql`, applied in order, tracked by `PRAGMA user_version`."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import partial
from importlib import resources

from echotune.storage.sqlite.db import in_transaction

_NAME = re.compile(r"^(\d{4})_\w+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    """Every migration shipped with the package, by version."""
    folder = resources.files("echotune.storage.sqlite").joinpath("migrations")
    found: list[Migration] = []
    for entry in folder.iterdir():
        m = _NAME.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda mig: mig.version)
    versions = [mig.version for mig in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"SQLite migrations must be numbered 1..n without gaps: {versions}")
    return found


def schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection) -> list[int]:
    """Apply the migrations this file lacks; returns the versions applied."""
    applied: list[int] = []
    for mig in load_migrations():
        if schema_version(conn) >= mig.version:
            continue
        if in_transaction(conn, partial(_apply, mig=mig)):
            applied.append(mig.version)
    return applied


def _apply(conn: sqlite3.Connection, mig: Migration) -> bool:
    # Re-checked under the write lock: another process may have migrated
    # between our first look and BEGIN IMMEDIATE.
    if schema_version(conn) >= mig.version:
        return False
    for statement in split_statements(mig.sql):
        conn.execute(statement)
    # PRAGMA takes no parameters; the version is an int we parsed ourselves.
    conn.execute(f"PRAGMA user_version = {mig.version:d}")
    return True


def split_statements(sql: str) -> list[str]:
    """Cut a script into statements, so they run inside our own transaction
    (executescript would commit first)."""
    statements: list[str] = []
    pending = ""
    for line in sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                statements.append(pending.strip())
            pending = ""
    if pending.strip() and not _only_comments(pending):
        raise ValueError(f"Unterminated SQL statement: {pending.strip()[:80]}")
    return statements


def _only_comments(text: str) -> bool:
    return all(not ln.strip() or ln.strip().startswith("--") for ln in text.splitlines())
