"""One SQLite connection, owned by one worker thread, reached through `run`/`write`."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from echotune.errors import StorageError, StorageUnavailable

T = TypeVar("T")

# How long a writer waits for another process's write lock before failing.
BUSY_TIMEOUT_S = 5.0


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a batch is one
    # transaction however many statements it takes.
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.Error:
        conn.close()
        raise
    return conn


class SqliteDb:
    """Serialises every call onto one dedicated thread.

    sqlite3 connections must not be shared across threads, and a single
    writer is what SQLite wants anyway; one thread hop per repository call
    keeps the event loop free while a whole batch runs.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="echotune-sqlite")
        self._conn: sqlite3.Connection | None = None
        self._closed = False

    async def open(self) -> None:
        def connect() -> None:
            self._conn = _connect(self.path)

        try:
            await self._hop(connect)
        except StorageError as exc:
            raise StorageUnavailable(exc.message) from exc.__cause__

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn` on the worker thread (reads, or writes that need no transaction)."""
        return await self._hop(lambda: fn(self._connection()))

    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn` inside one write transaction: all of it is kept, or none."""
        return await self._hop(lambda: in_transaction(self._connection(), fn))

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True

        def close_conn() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, close_conn)
        finally:
            self._executor.shutdown(wait=True)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StorageUnavailable("SQLite storage is not open")
        return self._conn

    async def _hop(self, fn: Callable[[], T]) -> T:
        if self._closed:
            raise StorageUnavailable("SQLite storage is closed")
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, fn)
        except sqlite3.Error as exc:
            raise StorageError(f"SQLite at {self.path} refused the operation: {exc}") from exc
        except ValidationError as exc:
            raise StorageError(f"SQLite at {self.path} holds an invalid row: {exc}") from exc


def in_transaction(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
    # IMMEDIATE takes the write lock up front, so a read-then-write batch
    # cannot be overtaken by another writer between its read and its write.
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = fn(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result
