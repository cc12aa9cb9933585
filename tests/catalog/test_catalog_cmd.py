"""`echotune import catalog FILE` end to end: real CLI, real SQLite file under tmp_path."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from echotune.cli.main import app
from echotune.settings import Settings
from echotune.storage.factory import open_storage
from tests.catalog.conftest import csv_text, sample_rows

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "var"
    monkeypatch.setenv("ECHOTUNE_DATA_DIR", str(data))
    monkeypatch.delenv("ECHOTUNE_STORAGE__MONGO_URI", raising=False)
    monkeypatch.delenv("ECHOTUNE_STORAGE__SQLITE_PATH", raising=False)
    monkeypatch.setenv("ECHOTUNE_LOG_JSON", "true")
    return data


def stored_count() -> int:
    async def count() -> int:
        storage = await open_storage(Settings(_env_file=None))
        try:
            return await storage.tracks.count()
        finally:
            await storage.close()

    return asyncio.run(count())


def summary(output: str) -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in output.splitlines():
        cells = [c.strip() for c in line.split("│") if c.strip()]
        if len(cells) == 2:
            rows[cells[0]] = cells[1]
    return rows


def test_import_prints_a_summary_and_stores_the_tracks(data_dir: Path, sample_csv: Path) -> None:
    result = runner.invoke(app, ["import", "catalog", str(sample_csv)])
    assert result.exit_code == 0, result.output
    table = summary(result.output)
    assert {k: table[k] for k in ("rows read", "inserted", "updated", "unchanged")} == {
        "rows read": "11",
        "inserted": "10",
        "updated": "0",
        "unchanged": "0",
    }
    assert (table["duplicates"], table["skipped"]) == ("1", "0")
    assert "Skipped rows" not in result.output
    assert (data_dir / "echotune.db").is_file() and stored_count() == 10

    again = runner.invoke(app, ["import", "catalog", str(sample_csv)])
    assert again.exit_code == 0
    assert summary(again.output)["unchanged"] == "10"
    assert summary(again.output)["inserted"] == "0"


def test_skipped_rows_are_listed_with_line_numbers(data_dir: Path, tmp_path: Path) -> None:
    header, rows = sample_rows()
    rows[1][header.index("energy")] = "[bold]x[/bold]"  # markup in the file stays literal
    path = tmp_path / "some-bad.csv"
    path.write_text(csv_text(header, rows), encoding="utf-8")
    result = runner.invoke(app, ["import", "catalog", str(path)])
    assert result.exit_code == 0, result.output
    assert summary(result.output)["skipped"] == "1"
    assert "Skipped rows" in result.output
    assert summary(result.output)["3"].startswith("energy: not a number: '[bold]x[/bold]'")


def test_bad_header_exits_1_naming_the_columns(data_dir: Path, tmp_path: Path) -> None:
    header, rows = sample_rows()
    keep = [i for i, h in enumerate(header) if h not in ("valence", "duration_ms")]
    path = tmp_path / "short-header.csv"
    path.write_text(
        csv_text([header[i] for i in keep], [[r[i] for i in keep] for r in rows]),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", "catalog", str(path)])
    assert result.exit_code == 1
    assert "missing required columns: valence, duration_ms" in result.output
    assert "Traceback" not in result.output
    assert stored_count() == 0


def test_missing_file_exits_2(data_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", "catalog", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    # Typer draws the error in a box that wraps long lines; compare the words only.
    words = " ".join(result.output.replace("│", " ").split())
    assert "does not exist" in words
