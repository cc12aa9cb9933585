"""`echotune eval` through Typer's runner on small real files (no mocks)."""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from echotune.cli.eval_cmd import eval_command
from echotune.recommend.cf.files import write_interactions
from echotune.recommend.cf.synthetic import SyntheticSpec, synthetic_interactions
from echotune.recommend.evaluation.grids import GRIDS

runner = CliRunner()
app = typer.Typer()
app.command()(eval_command)
FAST = "popularity,itemknn,ease"


@pytest.fixture(scope="module")
def plays(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("eval") / "plays.tsv"
    spec = SyntheticSpec(users=150, plays=4_000, items=300, clusters=6, seed=2)
    write_interactions(path, synthetic_interactions(spec).triples())
    return path


def test_json_output_has_every_metric_and_the_split(plays: Path) -> None:
    args = ["--interactions", str(plays), "--models", FAST, "--no-tune", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert list(report["models"]) == ["popularity", "itemknn", "ease"]
    for metrics in report["models"].values():
        for name in ("precision@10", "recall@20", "ndcg@10", "map@10", "coverage", "diversity"):
            assert 0.0 <= metrics[name] <= 1.0
        assert metrics["fit_seconds"] >= 0.0
    assert report["models"]["itemknn"]["ndcg@10"] > report["models"]["popularity"]["ndcg@10"]
    split = report["split"]
    assert split["users_train"] == 150 and split["users_skipped_not_in_train"] == 0
    assert split["users_evaluated"] + split["users_too_few_items"] == 150
    # Same seed, same numbers.
    again = json.loads(runner.invoke(app, args).stdout)
    assert again["models"]["ease"]["ndcg@10"] == report["models"]["ease"]["ndcg@10"]


def test_tuning_records_the_chosen_parameters(plays: Path) -> None:
    args = ["--interactions", str(plays), "--models", "ease", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    ease = json.loads(result.stdout)["models"]["ease"]
    assert set(ease["params"]) == {"lam", "weighting"}
    grid = GRIDS["ease"]
    assert ease["trials"] == len(grid["lam"]) * len(grid["weighting"])
    assert ease["validation_ndcg@10"] > 0


def test_train_and_test_files(tmp_path: Path) -> None:
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    rows = [(f"u{u}", f"t{(u + i) % 12}", 1.0) for u in range(30) for i in range(6)]
    write_interactions(train, rows)
    test.write_text("user,item\nu1,t7\nu1,t99\nghost,t1\nu2,t2\n", encoding="utf-8")
    args = ["--train", str(train), "--test", str(test), "--models", "itemknn", "--no-tune"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    split = json.loads(result.stdout)["split"]
    assert split["users_skipped_not_in_train"] == 1
    assert split["test_items_not_in_train"] == 1
    assert split["test_pairs_already_in_train"] == 1
    assert split["users_evaluated"] == 1


def test_columns_read_a_wider_file_as_its_chosen_fields(plays: Path, tmp_path: Path) -> None:
    # The same plays laid out like Last.fm-360K: user, an id column, the item, the count.
    wide = tmp_path / "wide.tsv"
    rows = [line.split("\t") for line in plays.read_text(encoding="utf-8").splitlines()]
    wide.write_text("".join(f"{u}\tmbid-{i}\t{i}\t{w}\n" for u, i, w in rows[1:]), encoding="utf-8")
    args = ["--models", FAST, "--no-tune", "--json"]
    plain = runner.invoke(app, ["--interactions", str(plays), *args])
    picked = runner.invoke(app, ["--interactions", str(wide), "--columns", "1,3,4", *args])
    assert picked.exit_code == 0, picked.output
    timing = ("fit_seconds", "tune_seconds")
    got, want = json.loads(picked.stdout), json.loads(plain.stdout)
    assert got["split"] == want["split"]
    for name, metrics in want["models"].items():
        assert {k: v for k, v in got["models"][name].items() if k not in timing} == {
            k: v for k, v in metrics.items() if k not in timing
        }
    # Without --columns the four-field rows are refused, by line.
    refused = runner.invoke(app, ["--interactions", str(wide), *args], env={"COLUMNS": "300"})
    assert refused.exit_code == 1 and "wide.tsv:1: expected 'user item [weight]'" in refused.output


def test_bad_rows_are_refused_or_skipped_as_allowed(plays: Path, tmp_path: Path) -> None:
    ragged = tmp_path / "ragged.tsv"
    lines = plays.read_text(encoding="utf-8").splitlines()
    ragged.write_text("\n".join([*lines[:50], "cut-short", *lines[50:], ""]), encoding="utf-8")
    args = ["--interactions", str(ragged), "--models", "popularity", "--no-tune", "--json"]
    refused = runner.invoke(app, args, env={"COLUMNS": "300"})
    assert refused.exit_code == 1
    assert "ragged.tsv:51: expected 'user item [weight]', got 1 fields" in refused.output
    assert "pass --max-bad-rows N" in refused.output
    result = runner.invoke(app, [*args, "--max-bad-rows", "3"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["split"]["input_rows_skipped"] == 1 and report["config"]["max_bad_rows"] == 3
    assert "skipped 1 bad row(s) of 3 allowed" in result.stderr
    assert "ragged.tsv:51: expected 'user item [weight]'" in result.stderr
    # The skipped row aside, the same split and figures as the clean file.
    clean = json.loads(runner.invoke(app, ["--interactions", str(plays), *args[2:]]).stdout)
    assert {k: v for k, v in report["split"].items() if k != "input_rows_skipped"} == {
        k: v for k, v in clean["split"].items() if k != "input_rows_skipped"
    }
    assert report["models"]["popularity"]["ndcg@10"] == clean["models"]["popularity"]["ndcg@10"]


def test_tuning_on_a_user_sample_within_a_time_budget(plays: Path) -> None:
    args = ["--interactions", str(plays), "--models", "itemknn,ease"]
    result = runner.invoke(app, [*args, "--json", "--tune-users", "60", "--tune-minutes", "0"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["config"]["users_tuned_on"] == 60
    assert report["config"]["tune_budget_seconds"] == 0.0
    # EASE runs its one trial; itemknn its first group, the six neighbour
    # counts that one build serves.
    for name, trials in (("itemknn", len(GRIDS["itemknn"]["neighbours"])), ("ease", 1)):
        model = report["models"][name]
        assert model["trials"] == trials and model["tuning_stopped_by_budget"] is True
    # EASE's one trial: the first point of its grid, chosen on 60 users and
    # refitted as it is on all 150 train users.
    assert report["models"]["ease"]["params"]["lam"] == GRIDS["ease"]["lam"][0]
    assert report["split"]["users_train"] == 150
    table = runner.invoke(app, [*args, "--tune-minutes", "0"], env={"COLUMNS": "200"})
    assert "stopped by the time budget: itemknn, ease" in table.stdout
    no_sample = [*args, "--json", "--no-tune", "--tune-users", "0"]
    everyone = json.loads(runner.invoke(app, no_sample).stdout)
    assert everyone["config"]["tune_users"] is None
    measured = [*args, "--json", "--no-tune", "--eval-users", "30"]
    sampled = json.loads(runner.invoke(app, measured).stdout)
    assert sampled["split"]["users_evaluated"] == 30
    assert sampled["split"]["users_with_test_items"] > 30


def test_table_output(plays: Path) -> None:
    args = ["--interactions", str(plays), "--models", "popularity", "--no-tune"]
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "ndcg@10" in result.stdout and "popularity" in result.stdout
    assert "users_evaluated" in result.stdout
    assert "relative to" not in result.stdout  # no echotune row, no ratios


def test_table_shows_echotune_relative_to_each_baseline(plays: Path) -> None:
    args = ["--interactions", str(plays), "--models", "popularity,ease,echotune", "--no-tune"]
    table = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    data = json.loads(runner.invoke(app, [*args, "--json"]).stdout)["models"]
    ndcg = {name: data[name]["ndcg@10"] for name in data}
    expected = ", ".join(
        f"{name} {ndcg['echotune'] / ndcg[name]:.3f}x" for name in ("popularity", "ease")
    )
    assert f"echotune NDCG@10 relative to: {expected}" in table.stdout


def test_tuning_shows_a_bar_per_model_on_stderr(plays: Path) -> None:
    args = ["--interactions", str(plays), "--models", "itemknn,ease", "--json"]
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)  # stdout stays JSON only
    sizes = {
        name: len(list(itertools.product(*GRIDS[name].values()))) for name in ("itemknn", "ease")
    }
    for name, size in sizes.items():
        assert re.search(rf"tuning {name} .* {size}/{size} trials", result.stderr), result.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--models", "popularity"], 2, "--interactions"),
        (["--interactions", "PLAYS", "--train", "PLAYS", "--test", "PLAYS"], 2, "--interactions"),
        (["--interactions", "PLAYS", "--models", "nope"], 1, "unknown model"),
        (["--interactions", "missing.tsv"], 2, "does not exist"),
        (["--interactions", "BAD"], 1, "bad.tsv:3"),
        (["--interactions", "PLAYS", "--columns", "1"], 1, "expected USER,ITEM[,WEIGHT]"),
    ],
)
def test_errors(plays: Path, tmp_path: Path, args: list[str], code: int, message: str) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("u\ti\tw\na\tb\t1\na\tc\tx\n", encoding="utf-8")
    swapped = [str(plays) if a == "PLAYS" else str(bad) if a == "BAD" else a for a in args]
    result = runner.invoke(app, swapped, env={"COLUMNS": "200"})
    assert result.exit_code == code
    assert message in result.output


def test_an_unknown_model_is_refused_before_the_file_is_read(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\tb\t1\na\tc\tx\n", encoding="utf-8")
    result = runner.invoke(app, ["--interactions", str(bad), "--models", "als"])
    assert result.exit_code == 1 and "unknown model(s) ['als']" in result.output
    assert "bad.tsv" not in result.output


def test_validation_folds_hold_out_the_test_fraction(plays: Path) -> None:
    args = ["--interactions", str(plays), "--models", "ease", "--json"]
    for fraction in ("0.2", "0.4"):
        result = runner.invoke(app, [*args, "--test-fraction", fraction, "--validation-folds", "2"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["config"]["validation_fraction"] == float(fraction)


def test_a_rerun_with_the_checkpoint_runs_no_trial_again(plays: Path, tmp_path: Path) -> None:
    checkpoint = tmp_path / "trials.jsonl"
    args = [
        "--interactions",
        str(plays),
        "--models",
        "itemknn,ease",
        "--checkpoint",
        str(checkpoint),
    ]
    first = runner.invoke(app, [*args, "--json"])
    assert first.exit_code == 0, first.output
    before = json.loads(first.stdout)
    assert before["config"]["checkpoint"] == str(checkpoint)
    trials = {name: model["trials"] for name, model in before["models"].items()}
    assert all(model["trials_resumed"] == 0 for model in before["models"].values())
    assert len(checkpoint.read_text(encoding="utf-8").splitlines()) == sum(trials.values())
    rerun = runner.invoke(app, [*args, "--json"], env={"COLUMNS": "300"})
    assert f"{sum(trials.values())} trial scores of this run kept" in rerun.stderr
    again = json.loads(rerun.stdout)
    for name, model in again["models"].items():
        assert model["trials_resumed"] == model["trials"] == trials[name]
        assert model["params"] == before["models"][name]["params"]
        assert model["ndcg@10"] == before["models"][name]["ndcg@10"]
    table = runner.invoke(app, args, env={"COLUMNS": "300"})
    assert "trials taken from the checkpoint: itemknn 48/48, ease 18/18" in table.stdout
    # Another seed is another run: its trials are run and added.
    other = json.loads(runner.invoke(app, [*args, "--json", "--seed", "7"]).stdout)
    assert all(model["trials_resumed"] == 0 for model in other["models"].values())


def test_a_checkpoint_that_cannot_be_written_is_refused_before_reading(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\tb\t1\na\tc\tx\n", encoding="utf-8")
    args = ["--interactions", str(bad), "--checkpoint", str(tmp_path / "no" / "t.jsonl")]
    result = runner.invoke(app, args, env={"COLUMNS": "300"})
    assert result.exit_code == 1 and "cannot write the checkpoint" in result.output
    assert "bad.tsv" not in result.output


def test_nothing_to_evaluate_is_an_error(tmp_path: Path) -> None:
    few = tmp_path / "few.tsv"
    few.write_text("a\tx\na\ty\nb\tx\n", encoding="utf-8")
    result = runner.invoke(app, ["--interactions", str(few), "--no-tune"])
    assert result.exit_code == 1 and "nothing to evaluate" in result.output


def test_tuning_bars_show_trials_elapsed_and_time_left() -> None:
    from rich.console import Console

    from echotune.cli.tables import trial_progress

    console = Console(record=True, width=120, force_terminal=False)
    with trial_progress(console) as bars:
        task = bars.add_task("implicit-als", total=56)
        bars.update(task, completed=28)
        bars.refresh()
    shown = console.export_text()
    assert "tuning implicit-als" in shown and "28/56 trials" in shown and "left" in shown


def test_tuning_bar_estimates_the_time_left_from_trials_run_not_taken() -> None:
    from rich.console import Console
    from rich.progress import Progress

    from echotune.cli.tables import TrialsLeftColumn

    now = [0.0]
    column = TrialsLeftColumn()
    bars = Progress(column, console=Console(width=80), get_time=lambda: now[0])
    task = bars.add_task("implicit-als", total=56)

    def left() -> str:
        return column.render(bars.tasks[task]).plain

    assert left() == "-:--:--"
    # 40 trials taken from a checkpoint at once: no pace yet, however many done.
    bars.update(task, completed=40, resumed=40)
    assert left() == "-:--:--"
    # Then 2 run in 120 s: 14 left at 60 s each.
    now[0] = 120.0
    bars.update(task, completed=42, resumed=40)
    assert left() == "0:14:00"
    # Without a checkpoint the same pace counts every trial.
    fresh = bars.add_task("ease", total=10)
    now[0] = 220.0
    bars.update(fresh, completed=4)
    assert column.render(bars.tasks[fresh]).plain == "0:02:30"
    bars.update(fresh, completed=10)
    assert column.render(bars.tasks[fresh]).plain == "0:00:00"


def test_tuning_progress_is_written_as_lines_when_stderr_is_a_file(plays: Path) -> None:
    # CliRunner's stderr is not a terminal, as a log file is not.
    args = ["--interactions", str(plays), "--models", "ease", "--json"]
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert re.search(r"^tuning ease: 0/18 trials, 0:00:00 spent$", result.stderr, re.MULTILINE)
    assert re.search(r"^tuning ease: 18/18 trials, 0:00:\d\d spent$", result.stderr, re.MULTILINE)
    # Reading too: a line as it starts and one as it ends.
    size = f"{plays.stat().st_size:,}"
    assert re.search(
        rf"^reading {plays.name}: 0% of {size} bytes, 0:00:00 spent$", result.stderr, re.MULTILINE
    )
    assert re.search(
        rf"^reading {plays.name}: 100% of {size} bytes, 0:00:\d\d spent$",
        result.stderr,
        re.MULTILINE,
    )


def test_reading_lines_come_at_most_every_interval_with_an_estimate_left() -> None:
    from rich.console import Console

    from echotune.cli.tables import ByteLines

    now = [0.0]
    console = Console(record=True, width=200, force_terminal=False)
    lines = ByteLines(console, "big.tsv.gz", 1_000_000, every=60.0, clock=lambda: now[0])
    for done, at in (
        (0, 0.0),
        (100_000, 30.0),
        (250_000, 75.0),
        (400_000, 120.0),
        (999_999, 299.0),
        (1_000_000, 300.0),
    ):
        now[0] = at
        lines(done)
    lines(1_000_000)  # the reader's last call may repeat the end
    assert console.export_text().splitlines() == [
        "reading big.tsv.gz: 0% of 1,000,000 bytes, 0:00:00 spent",
        "reading big.tsv.gz: 25% of 1,000,000 bytes, 0:01:15 spent, about 0:03:45 left",
        "reading big.tsv.gz: 99% of 1,000,000 bytes, 0:04:59 spent, about 0:00:00 left",
        "reading big.tsv.gz: 100% of 1,000,000 bytes, 0:05:00 spent",
    ]


def test_trial_lines_come_at_most_every_interval_with_an_estimate_left() -> None:
    from rich.console import Console

    from echotune.cli.tables import TrialLines

    now = [100.0]
    console = Console(record=True, width=200, force_terminal=False)
    lines = TrialLines(console, every=60.0, clock=lambda: now[0])
    steps = ((0, 100.0), (1, 130.0), (2, 150.0), (3, 170.0), (4, 200.0), (10, 400.0), (10, 400.0))
    for done, at in steps:
        now[0] = at
        lines("implicit-als", done, 10)
    assert console.export_text().splitlines() == [
        "tuning implicit-als: 0/10 trials, 0:00:00 spent",
        "tuning implicit-als: 3/10 trials, 0:01:10 spent, about 0:02:43 left",
        "tuning implicit-als: 10/10 trials, 0:05:00 spent",
    ]


def test_trial_lines_estimate_the_time_left_from_trials_run_not_taken() -> None:
    from rich.console import Console

    from echotune.cli.tables import TrialLines

    now = [0.0]
    console = Console(record=True, width=200, force_terminal=False)
    lines = TrialLines(console, every=60.0, clock=lambda: now[0])
    # 40 of 56 trials taken from a checkpoint at once, then 2 run in 120 s.
    for done, resumed, at in ((0, 0, 0.0), (40, 40, 0.0), (41, 40, 60.0), (42, 40, 120.0)):
        now[0] = at
        lines("implicit-als", done, 56, resumed)
    assert console.export_text().splitlines() == [
        "tuning implicit-als: 0/56 trials, 0:00:00 spent",
        "tuning implicit-als: 41/56 trials (40 from the checkpoint), 0:01:00 spent, "
        + "about 0:15:00 left",
        "tuning implicit-als: 42/56 trials (40 from the checkpoint), 0:02:00 spent, "
        + "about 0:14:00 left",
    ]


def test_ctrl_c_keeps_the_trials_that_ended_and_the_same_command_resumes(tmp_path: Path) -> None:
    """A real process and a real SIGINT, as a user's Ctrl-C in a multi-hour run."""
    data = tmp_path / "plays.tsv"
    spec = SyntheticSpec(users=600, plays=40_000, items=2_000, clusters=8, seed=4)
    write_interactions(data, synthetic_interactions(spec).triples())
    checkpoint = tmp_path / "trials.jsonl"
    command = [sys.executable, "-m", "echotune.cli.main", "eval", "--interactions", str(data)]
    command += ["--models", "implicit-als", "--checkpoint", str(checkpoint), "--json"]

    def kept() -> int:
        return len(checkpoint.read_text(encoding="utf-8").splitlines())

    wide = {**os.environ, "COLUMNS": "300"}
    run = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=wide
    )
    deadline = time.monotonic() + 120
    while run.poll() is None and time.monotonic() < deadline:
        if checkpoint.exists() and kept() >= 3:
            break
        time.sleep(0.1)
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 130, err
    assert out == ""
    assert "interrupted: the trials that ended are kept in" in err and "run the same" in err
    done = kept()
    assert 3 <= done < len(list(itertools.product(*GRIDS["implicit-als"].values())))
    # The same command resumes; a spent budget lets it run nothing new, so
    # the result is made of exactly the trials the interrupted run kept.
    resume = [*command, "--tune-minutes", "0"]
    again = subprocess.run(
        resume, check=False, capture_output=True, text=True, timeout=300, env=wide
    )
    assert again.returncode == 0, again.stderr
    als = json.loads(again.stdout)["models"]["implicit-als"]
    assert als["trials_resumed"] == als["trials"] == done and kept() == done


def test_ctrl_c_without_a_checkpoint_names_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    from echotune.cli import eval_cmd

    eval_cmd._interrupted(None)
    assert "nothing was kept; with --checkpoint FILE" in " ".join(capsys.readouterr().err.split())


def test_a_large_input_without_a_budget_is_told_tuning_takes_hours(
    plays: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from echotune.cli import eval_cmd

    args = ["--interactions", str(plays), "--models", "popularity", "--json"]
    env = {"COLUMNS": "300"}
    quiet = runner.invoke(app, args, env=env)  # 150 users: far below the line
    assert quiet.exit_code == 0 and "note:" not in quiet.stderr
    monkeypatch.setattr(eval_cmd, "LONG_TUNING_ENTRIES", 100)  # as if this were large
    told = runner.invoke(app, args, env=env)
    assert told.exit_code == 0, told.output
    train = json.loads(told.stdout)["split"]
    note = next(line for line in told.stderr.splitlines() if line.startswith("note:"))
    assert f"({train['users_train']:,} users x" in note and "takes hours" in note
    assert "--tune-minutes N bounds each model's search" in note and "--checkpoint FILE" in note
    checkpoint = tmp_path / "trials.jsonl"
    kept = runner.invoke(app, [*args, "--checkpoint", str(checkpoint)], env=env)
    assert "takes hours" in kept.stderr and "--checkpoint FILE" not in kept.stderr
    for bounded in (["--tune-minutes", "5"], ["--no-tune"]):
        result = runner.invoke(app, [*args, *bounded], env=env)
        assert result.exit_code == 0 and "note:" not in result.stderr
