"""Rich tables and progress bars shared by the commands."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import timedelta

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table
from rich.text import Text

from echotune.recommend.personal.store import TrainReport


def byte_progress(label: str, console: Console, verb: str = "importing") -> Progress:
    """A transient bar over bytes read, with speed and time remaining."""
    return Progress(
        TextColumn(f"[bold]{verb}[/bold] {label}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def trial_progress(console: Console) -> Progress:
    """One bar per model being tuned: validation trials run of those planned.

    For coordinate-ascent grids the planned count is an upper bound (repeated
    points are not run again), so the bar jumps to full when the search ends.
    The time left is estimated from the trials run so far (`TrialsLeftColumn`);
    ALS trials grow costlier as its factors grow, so read it as a lower bound
    there.
    """
    return Progress(
        TextColumn("tuning [bold]{task.description}[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("trials"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TrialsLeftColumn(),
        console=console,
    )


class TrialsLeftColumn(ProgressColumn):
    """The time a tuning bar's remaining trials take at the pace of those run.

    The task's `resumed` field counts trials taken from a checkpoint: they
    cost no time, so they are left out of the pace. Rich's own column counts
    them in, and a run resuming 40 of 56 trials read a few seconds left for
    an hour of fits.
    """

    def render(self, task: Task) -> Text:
        run = task.completed - int(task.fields.get("resumed", 0))
        if task.finished:
            return Text("0:00:00", style="progress.remaining")
        if task.total is None or task.elapsed is None or run <= 0:
            return Text("-:--:--", style="progress.remaining")
        left = task.elapsed / run * (task.total - task.completed)
        return Text(_clock(left), style="progress.remaining")


class _Pacer:
    """When a plain progress line is due, per task: its first call, then at most
    one every `every` seconds, and its end (once)."""

    def __init__(self, every: float, clock: Callable[[], float]) -> None:
        self.every = every
        self.clock = clock
        self._started: dict[str, float] = {}
        self._shown: dict[str, float] = {}
        self._ended: set[str] = set()

    def due(self, task: str, ended: bool) -> float | None:
        """Seconds since `task`'s first call if a line is due now, else None."""
        now = self.clock()
        started = self._started.setdefault(task, now)
        last = self._shown.get(task)
        if task in self._ended or (not ended and last is not None and now - last < self.every):
            return None
        self._shown[task] = now
        if ended:
            self._ended.add(task)
        return now - started


def _progress_line(head: str, spent: float, ended: bool, rate_done: int, left: int) -> str:
    """`head`, the time spent and, while not ended, the time `left` units take at the
    pace of the `rate_done` units that took `spent`."""
    line = f"{head}, {_clock(spent)} spent"
    if not ended and rate_done > 0:
        line += f", about {_clock(spent / rate_done * left)} left"
    return line


class TrialLines:
    """Tuning progress as plain lines, for a stderr that is not a terminal.

    Rich draws its bars into a log file only when they stop, so a multi-hour
    run sent to a file said nothing until each model was done. This writes a
    line when a model's tuning starts, then at most one every `every` seconds,
    and one at its end: trials scored of those planned, time spent, and from
    the trials run so far an estimate of the rest. Trials taken from a
    checkpoint cost no time, so they are counted apart and left out of the
    rate (counted in, a resumed run's first estimates read minutes for hours).
    """

    def __init__(
        self,
        console: Console,
        every: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.console = console
        self._pacer = _Pacer(every, clock)

    def __call__(self, name: str, done: int, planned: int, resumed: int = 0) -> None:
        ended = done >= planned
        spent = self._pacer.due(name, ended)
        if spent is None:
            return
        head = f"tuning {name}: {done:,}/{planned:,} trials"
        if resumed:
            head += f" ({resumed:,} from the checkpoint)"
        line = _progress_line(head, spent, ended, done - resumed, planned - done)
        self.console.print(line, highlight=False, soft_wrap=True)


class ByteLines:
    """Reading progress as plain lines, for a stderr that is not a terminal.

    As `TrialLines`: a line when reading starts, at most one every `every`
    seconds with the share read and an estimate of the time left, and one at
    the end. A 47 M-row file takes minutes to read, and a log said nothing
    of it.
    """

    def __init__(
        self,
        console: Console,
        label: str,
        total: int,
        every: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.console = console
        self.label = label
        self.total = max(total, 1)
        self._pacer = _Pacer(every, clock)

    def __call__(self, done: int) -> None:
        ended = done >= self.total
        spent = self._pacer.due(self.label, ended)
        if spent is None:
            return
        # Whole percents rounded down: 100% only at the end, not with bytes still to read.
        percent = min(done * 100 // self.total, 100)
        head = f"reading {self.label}: {percent}% of {self.total:,} bytes"
        line = _progress_line(head, spent, ended, done, self.total - done)
        self.console.print(line, highlight=False, soft_wrap=True)


def _clock(seconds: float) -> str:
    return str(timedelta(seconds=round(seconds)))


def counts_table(title: str, counts: Iterable[tuple[str, int]]) -> Table:
    """A two-column summary: what happened, and how many times."""
    table = Table(title=title)
    table.add_column("result")
    table.add_column("count", justify="right")
    for label, value in counts:
        table.add_row(label, f"{value:,}")
    return table


def train_table(report: TrainReport) -> Table:
    """One row: what training the collaborative model did."""
    table = Table(
        "model", "trained", "users", "items", "interactions", "seconds", "threads", "parameters"
    )
    shown = ", ".join(f"{k}={v}" for k, v in sorted(report.params.items())) or "defaults"
    table.add_row(report.model, "yes" if report.trained else f"no ({report.reason})",
                  str(report.users), str(report.items), str(report.interactions),
                  f"{report.seconds:.2f}", str(report.threads), shown)  # fmt: skip
    return table
