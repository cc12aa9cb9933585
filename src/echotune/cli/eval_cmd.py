"""`echotune eval`: compare the collaborative models offline on one split.

`eval_command` is mounted by `echotune.cli.main` as `app.command("eval")`.
Input is one interaction file split per user (`--interactions`), or a
`--train` and a `--test` file. Every model is tuned on a validation split
carved from train, refitted on train and measured on test. `--json` prints
only JSON on stdout (progress goes to stderr). A bad row refuses the input
unless `--max-bad-rows` allows it to be skipped; skipped rows are counted in
the split (`input_rows_skipped`) and the first few shown on stderr. Exit
codes: 0 done, 1 input refused (a bad line, an empty split, a bad `--columns`
or `--models` value), 2 usage errors, 130 interrupted (Ctrl-C). With
`--checkpoint` every tuning trial is kept as it ends, so the same command
run again resumes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import TaskID
from rich.table import Table

from echotune.cli.tables import ByteLines, TrialLines, byte_progress, trial_progress
from echotune.errors import EchotuneError, InvalidInput
from echotune.recommend.cf.files import BadRows, Columns, read_interactions
from echotune.recommend.cf.interactions import Interactions
from echotune.recommend.cf.registry import parse_models
from echotune.recommend.evaluation.checkpoint import open_for_append
from echotune.recommend.evaluation.runner import (
    DEFAULT_EVAL_USERS,
    DEFAULT_TUNE_USERS,
    EvalConfig,
    EvalReport,
    evaluate,
)
from echotune.recommend.evaluation.split import MIN_USER_ITEMS, EvalSplit, align, holdout_split

console = Console()
err_console = Console(stderr=True)
# Missing or unreadable files are usage errors (exit 2), caught by Click before we run.
FILE_CHECKS = {"exists": True, "dir_okay": False, "readable": True}
# The shell's code for a run stopped by Ctrl-C (128 + SIGINT).
INTERRUPTED = 130
# From this many train entries a run without --tune-minutes is told it will take
# hours: a default run on a Last.fm-1K-shaped file (1 M pairs) took several.
LONG_TUNING_ENTRIES = 1_000_000
COLUMNS = ("precision@10", "recall@20", "ndcg@10", "map@10", "coverage", "diversity")


def eval_command(
    interactions: Annotated[
        Path | None, typer.Option(help="One interaction file, split per user", **FILE_CHECKS)
    ] = None,
    train: Annotated[
        Path | None, typer.Option(help="Train interaction file", **FILE_CHECKS)
    ] = None,
    test: Annotated[Path | None, typer.Option(help="Test interaction file", **FILE_CHECKS)] = None,
    columns: Annotated[
        str | None,
        typer.Option(
            help="1-based USER,ITEM[,WEIGHT] columns of wider files, e.g. 1,3,4 for Last.fm-360K, "
            "1,4 for Last.fm-1K (artists), 1,2,3 for MovieLens"
        ),
    ] = None,
    max_bad_rows: Annotated[
        int,
        typer.Option(
            min=0,
            help="Skip up to this many unreadable rows (counted and reported) instead of "
            "refusing the input at the first",
        ),
    ] = 0,
    test_fraction: Annotated[
        float,
        typer.Option(
            min=0.01,
            max=0.99,
            help="Share of each user's items held out, for the test split and for each "
            "validation fold",
        ),
    ] = 0.2,
    seed: Annotated[int, typer.Option(help="Seed of the split, the tuning and the models")] = 42,
    min_user_items: Annotated[
        int, typer.Option(min=2, help="Users with fewer items stay in train only")
    ] = MIN_USER_ITEMS,
    models: Annotated[
        str | None, typer.Option(help="Comma-separated subset, e.g. ease,echotune")
    ] = None,
    tune: Annotated[bool, typer.Option(help="Tune hyper-parameters on a validation split")] = True,
    validation_folds: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=10,
            help="Validation hold-outs averaged when tuning [default: 2 to 5, more on small data]",
        ),
    ] = None,
    tune_users: Annotated[
        int,
        typer.Option(
            min=0, help="Tune on a seeded sample of this many train users (0: all of them)"
        ),
    ] = DEFAULT_TUNE_USERS,
    tune_minutes: Annotated[
        float | None,
        typer.Option(min=0.0, help="Per model: start no tuning trial after this many minutes"),
    ] = None,
    eval_users: Annotated[
        int,
        typer.Option(
            min=0, help="Measure on a seeded sample of this many test users (0: all of them)"
        ),
    ] = DEFAULT_EVAL_USERS,
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            help="Keep every tuning trial's score in this file (JSON lines) and take the "
            "scores already there: rerun an interrupted evaluation with the same input, "
            "options and FILE to resume it",
            dir_okay=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print only JSON on stdout")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every trial")] = False,
) -> None:
    """Tune, fit and measure popularity, itemknn, implicit-als, ease and echotune on one split."""
    if (interactions is None) == (train is None and test is None) or (
        interactions is None and (train is None or test is None)
    ):
        err_console.print("[red]error:[/red] give --interactions FILE, or --train FILE --test FILE")
        raise typer.Exit(2)

    def progress(message: str) -> None:
        # Tuning trials are indented; without --verbose only each model's result shows.
        if verbose or not message.startswith(" "):
            err_console.print(escape(message), highlight=False)

    try:
        picked = None if columns is None else Columns.parse(columns)
        if checkpoint is not None:
            # Refused now rather than after reading the input (minutes on large files).
            open_for_append(checkpoint).close()
        # Checked before reading: a 19 M-row file takes ~90 s to read.
        chosen = parse_models(models)
        bad = BadRows(max_bad_rows)
        split = _split(interactions, train, test, test_fraction, seed, min_user_items, picked, bad)
        if bad.skipped:
            _warn_skipped(bad)
        if tune and tune_minutes is None:
            _warn_long_tuning(split, checkpoint)
        config = EvalConfig(
            models=chosen,
            tune=tune,
            seed=seed,
            validation_fraction=test_fraction,
            validation_folds=validation_folds,
            min_user_items=min_user_items,
            tune_users=tune_users or None,
            tune_budget_seconds=None if tune_minutes is None else tune_minutes * 60.0,
            eval_users=eval_users or None,
            checkpoint=checkpoint,
        )
        lines = None if err_console.is_terminal else TrialLines(err_console)
        with trial_progress(err_console) as bars:
            tasks: dict[str, TaskID] = {}

            def on_trial(name: str, done: int, planned: int, resumed: int) -> None:
                if name not in tasks:
                    tasks[name] = bars.add_task(name, total=planned)
                bars.update(tasks[name], completed=done, total=planned, resumed=resumed)
                if lines is not None:
                    lines(name, done, planned, resumed)

            report = evaluate(split, config, progress=progress, trials=on_trial)
        report.split["input_rows_skipped"] = bad.skipped
        report.config["max_bad_rows"] = max_bad_rows
    except EchotuneError as exc:
        err_console.print(f"[red]error:[/red] {escape(exc.message)}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        _interrupted(checkpoint)
        raise typer.Exit(INTERRUPTED) from None
    if as_json:
        print(json.dumps(report.to_json(), indent=2))
        return
    console.print(_models_table(report))
    ratios = _relative_line(report)
    if ratios:
        console.print(ratios)
    console.print(_split_table(report))


def _split(
    interactions: Path | None,
    train: Path | None,
    test: Path | None,
    test_fraction: float,
    seed: int,
    min_user_items: int,
    columns: Columns | None,
    bad: BadRows,
) -> EvalSplit:
    if interactions is not None:
        data = _read(interactions, columns, bad)
        split = holdout_split(data, test_fraction, seed, min_user_items)
    else:
        assert train is not None and test is not None
        test_data = _read(test, columns, bad)
        split = align(
            _read(train, columns, bad),
            test_data.user_ids,
            test_data.item_ids,
            test_data.matrix,
        )
    if split.users.size == 0:
        raise InvalidInput("no user has both train and test interactions: nothing to evaluate")
    return split


def _read(path: Path, columns: Columns | None, bad: BadRows) -> Interactions:
    """`path` read whole, under a bar over its bytes on stderr (a 19 M-row file takes ~90 s)."""
    size = path.stat().st_size
    lines = None if err_console.is_terminal else ByteLines(err_console, path.name, size)
    if lines is not None:
        lines(0)

    def read(done: int) -> None:
        bar.update(task, completed=done)
        if lines is not None:
            lines(done)

    with byte_progress("{task.description}", err_console, verb="reading") as bar:
        task = bar.add_task(escape(path.name), total=size)
        return read_interactions(path, columns, bad, progress=read)


def _warn_long_tuning(split: EvalSplit, checkpoint: Path | None) -> None:
    """On stderr, before tuning starts: an unbounded search on a large input takes hours."""
    train = split.train
    if train.nnz < LONG_TUNING_ENTRIES:
        return
    resume = "" if checkpoint is not None else ", and --checkpoint FILE lets a stopped run resume"
    err_console.print(
        f"[yellow]note:[/yellow] {train.nnz:,} train entries ({train.n_users:,} users x "
        f"{train.n_items:,} items): every model's whole tuning grid runs, which on an input "
        f'this large takes hours (docs/evaluation.md, "Large inputs"); --tune-minutes N '
        f"bounds each model's search{resume}",
        highlight=False,
    )


def _interrupted(checkpoint: Path | None) -> None:
    """On stderr: what an interrupted run kept, and how to go on from it."""
    if checkpoint is None:
        err_console.print(
            "[yellow]interrupted:[/yellow] nothing was kept; with --checkpoint FILE every "
            "tuning trial is kept as it ends, and the same command run again resumes"
        )
        return
    err_console.print(
        f"[yellow]interrupted:[/yellow] the trials that ended are kept in "
        f"{escape(str(checkpoint))}; run the same command again to resume"
    )


def _warn_skipped(bad: BadRows) -> None:
    """On stderr: how many rows were skipped, and the first few with what was wrong."""
    shown = len(bad.examples)
    err_console.print(
        f"[yellow]warning:[/yellow] skipped {bad.skipped:,} bad row(s) of "
        f"{bad.limit:,} allowed" + (f"; the first {shown}:" if shown > 1 else ":"),
        highlight=False,
    )
    for example in bad.examples:
        err_console.print(f"  {escape(example)}", highlight=False)


def _models_table(report: EvalReport) -> Table:
    table = Table(title=f"Offline evaluation ({report.split.get('users_evaluated', 0):,} users)")
    table.add_column("model")
    for column in COLUMNS:
        table.add_column(column, justify="right")
    table.add_column("fit s", justify="right")
    table.add_column("tune s", justify="right")
    table.add_column("chosen parameters")
    notes = []
    stopped = [m.name for m in report.models if m.stopped_by_budget]
    if stopped:
        notes.append(f"tuning stopped by the time budget: {', '.join(stopped)}")
    resumed = [f"{m.name} {m.trials_resumed}/{m.trials}" for m in report.models if m.trials_resumed]
    if resumed:
        notes.append(f"trials taken from the checkpoint: {', '.join(resumed)}")
    table.caption = "; ".join(notes) or None
    for model in report.models:
        params = ", ".join(f"{k}={v}" for k, v in model.params.items()) or "(defaults)"
        table.add_row(
            model.name,
            *(f"{model.metrics[c]:.4f}" for c in COLUMNS),
            f"{model.fit_seconds:.2f}",
            f"{model.tune_seconds:.1f}",
            escape(params),
        )
    return table


def _relative_line(report: EvalReport, model: str = "echotune") -> str:
    """`model`'s NDCG@10 divided by each other model's: the figure the goals are set in."""
    ndcg = {m.name: m.metrics["ndcg@10"] for m in report.models}
    if model not in ndcg or len(ndcg) < 2:
        return ""
    parts = [
        f"{name} {ndcg[model] / value:.3f}x" if value > 0 else f"{name} (ndcg 0)"
        for name, value in ndcg.items()
        if name != model
    ]
    return f"{model} NDCG@10 relative to: " + ", ".join(parts)


def _split_table(report: EvalReport) -> Table:
    table = Table(title="Split")
    table.add_column("count")
    table.add_column("value", justify="right")
    for key, value in report.split.items():
        table.add_row(key, f"{value:,}")
    return table
