"""Library syncs started over the API run as background jobs: at most one per user.

`SyncJobs.start` checks that the user can sync at all (Spotify configured, account
connected: those answer at once with their usual error), then runs
`SyncService.sync_user` in an asyncio task and returns the job; while that user's
sync runs, `start` returns the same job instead of starting a second one.
`SyncJobs.run` does the same and waits for the end (the blocking `?wait=true`
form), re-raising the sync's own error so the API maps it as before.

A failed job keeps its error message (and logs it); the sync itself resumes where
it stopped next time (see `sync.service`). Per user only the latest `keep` jobs are
remembered, so memory stays bounded. `stop` cancels running jobs at shutdown.

Jobs live in this process's memory: with several worker processes each has its own
registry (a user's GET may land on a worker that did not run the sync, and two
workers could sync one user at once). The embedded default is one process; a
multi-worker deployment would need the jobs in shared state (e.g. Redis).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import structlog
from pydantic import BaseModel

from echotune.accounts.connections import SpotifyConnections
from echotune.errors import Conflict, EchotuneError, NotFound
from echotune.spotify.transport import Priority
from echotune.sync.progress import SyncReport
from echotune.sync.service import SyncService

JobStatus = Literal["running", "done", "failed"]
KEEP_PER_USER = 5
NO_JOB = "No Spotify sync has been started for this account yet: POST /api/v1/me/spotify/sync"
SHUTDOWN = "Cancelled: the server shut down; the next sync resumes where this one stopped"
UNEXPECTED = "The sync failed unexpectedly (an internal error, logged on the server)"

log = structlog.get_logger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


class SyncJob(BaseModel):
    """What the API shows of a sync job."""

    id: str
    status: JobStatus
    started_at: datetime
    finished_at: datetime | None = None
    report: SyncReport | None = None
    error: str | None = None


@dataclass
class _Run:
    id: str
    user_id: str
    started_at: datetime
    status: JobStatus = "running"
    finished_at: datetime | None = None
    report: SyncReport | None = None
    failure: BaseException | None = None
    error: str | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    def view(self) -> SyncJob:
        return SyncJob(id=self.id, status=self.status, started_at=self.started_at,
                       finished_at=self.finished_at, report=self.report, error=self.error)  # fmt: skip


class SyncJobs:
    def __init__(
        self,
        sync: SyncService,
        connections: SpotifyConnections,
        keep: int = KEEP_PER_USER,
        clock: Callable[[], datetime] = _now,
        priority: Priority = Priority.HIGH,
    ) -> None:
        self._sync = sync
        self._connections = connections
        self._clock = clock
        self._priority = priority
        self._keep = max(1, keep)
        self._runs: dict[str, deque[_Run]] = {}
        self._closed = False

    async def start(self, user_id: str) -> SyncJob:
        """The user's running sync, or a new one started in the background."""
        return (await self._start(user_id)).view()

    async def run(self, user_id: str) -> SyncJob:
        """Start (or join) the user's sync and wait for its end; its error is raised."""
        run = await self._start(user_id)
        assert run.task is not None
        # Shielded: a caller that goes away does not cancel the sync, it stays a job.
        await asyncio.shield(run.task)
        if run.failure is not None:
            raise run.failure
        return run.view()

    def latest(self, user_id: str) -> SyncJob:
        runs = self._runs.get(user_id)
        if not runs:
            raise NotFound(NO_JOB)
        return runs[-1].view()

    def get(self, user_id: str, job_id: str) -> SyncJob:
        for run in self._runs.get(user_id, ()):
            if run.id == job_id:
                return run.view()
        raise NotFound(f"No sync job {job_id} for this account (the latest {self._keep} are kept)")

    async def stop(self) -> None:
        """Cancel the running jobs and wait until they have stopped."""
        self._closed = True
        tasks = [r.task for runs in self._runs.values() for r in runs
                 if r.task is not None and not r.task.done()]  # fmt: skip
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _start(self, user_id: str) -> _Run:
        if self._closed:
            raise Conflict("The server is shutting down: sync again in a moment")
        # Not configured or not connected answers now (409), not as a failed job.
        await self._connections.client(user_id, self._priority)
        # No await from here on: checking for a running job and registering a new
        # one happen in one step of the event loop, so two requests cannot both start.
        runs = self._runs.setdefault(user_id, deque(maxlen=self._keep))
        if runs and runs[-1].status == "running":
            return runs[-1]
        run = _Run(id=uuid.uuid4().hex, user_id=user_id, started_at=self._clock())
        run.task = asyncio.create_task(self._execute(run), name=f"spotify-sync-{run.id}")
        runs.append(run)
        return run

    async def _execute(self, run: _Run) -> None:
        try:
            run.report = await self._sync.sync_user(run.user_id, priority=self._priority)
            run.status = "done"
        except asyncio.CancelledError:
            self._fail(run, None, SHUTDOWN)
            raise
        except EchotuneError as exc:
            self._fail(run, exc, exc.message)
            log.warning("spotify.sync.job_failed", user_id=run.user_id, job_id=run.id,
                        error=exc.message)  # fmt: skip
        except Exception as exc:
            self._fail(run, exc, UNEXPECTED)
            log.error("spotify.sync.job_crashed", user_id=run.user_id, job_id=run.id, exc_info=exc)
        finally:
            run.finished_at = self._clock()

    @staticmethod
    def _fail(run: _Run, exc: BaseException | None, message: str) -> None:
        run.status, run.failure, run.error = "failed", exc, message
