"""Helpers for the catalog tests: the sample CSV and writing variants of it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parent / "data" / "spotify_songs_sample.csv"
DUPLICATED_ID = "6f807x0ima9a1j3VPbc7VN"  # rows 2 (genre pop) and 12 (genre edm)


def sample_rows() -> tuple[list[str], list[list[str]]]:
    with SAMPLE.open(newline="", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    return header, rows


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@pytest.fixture
def sample_csv() -> Path:
    return SAMPLE
