"""Catalog CSV import: throughput and memory on a large generated file.

Writes a CSV of about --mb megabytes (rows of the bundled catalog under fresh
track ids, with a share of repeated ids and malformed rows, like a real
export), imports it, and prints one JSON object: rows/s, MB/s, and how much
the process's resident memory grew during the import. The import streams, so
the growth should stay flat as --mb grows; compare two sizes to see it.

    python bench/import_catalog.py --mb 200 [--backend sqlite|null] [--gzip]

`null` discards the tracks, which measures reading and validation alone.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gzip
import itertools
import json
import resource
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from echotune.catalog.artist_ids import base62
from echotune.catalog.bundled import bundled_catalog_path
from echotune.catalog.csv_import import ImportReport, import_catalog_csv
from echotune.catalog.models import Track, UpsertResult
from echotune.settings import Settings, StorageSettings
from echotune.storage.factory import open_storage

TEMPLATE_ROWS = 5000
DUPLICATE_EVERY = 20  # 5% of rows repeat an earlier id, as playlists do
MALFORMED_EVERY = 1000  # 0.1% carry a non-numeric feature


def rss_mb() -> float:
    """Current resident set size, from /proc (Linux)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def templates() -> tuple[list[str], list[list[str]]]:
    with gzip.open(bundled_catalog_path(), "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        return header, list(itertools.islice(reader, TEMPLATE_ROWS))


def _open_out(path: Path, compress: bool) -> IO[str]:
    if compress:
        return gzip.open(path, "wt", encoding="utf-8", newline="", compresslevel=1)
    return path.open("w", encoding="utf-8", newline="")


def write_csv(path: Path, target_bytes: int, compress: bool) -> int:
    header, rows = templates()
    energy = header.index("energy")
    with _open_out(path, compress) as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        n = 0
        # Uncompressed size is what --mb means, so count characters written.
        written = 0
        while written < target_bytes:
            row = list(rows[n % len(rows)])
            row[0] = base62(n // 2 if n % DUPLICATE_EVERY == 1 else n)
            if n % MALFORMED_EVERY == 7:
                row[energy] = "loud"
            written += sum(len(v) for v in row) + len(row)
            writer.writerow(row)
            n += 1
    return n


class NullRepo:
    """Counts and forgets: isolates the importer's own cost."""

    async def upsert_many(self, tracks: Sequence[Track]) -> UpsertResult:
        return UpsertResult(inserted=len(tracks))


async def run_import(
    path: Path, backend: str, data_dir: Path, batch: int
) -> tuple[ImportReport, float, float]:
    peak = rss_mb()

    def watch(_done: int) -> None:
        nonlocal peak
        peak = max(peak, rss_mb())

    if backend == "null":
        start = time.perf_counter()
        report = await import_catalog_csv(path, NullRepo(), batch_size=batch, progress=watch)  # type: ignore[arg-type]
        return report, time.perf_counter() - start, peak
    settings = Settings(_env_file=None, data_dir=data_dir, storage=StorageSettings())
    storage = await open_storage(settings)
    try:
        peak = rss_mb()
        start = time.perf_counter()
        report = await import_catalog_csv(path, storage.tracks, batch_size=batch, progress=watch)
        return report, time.perf_counter() - start, peak
    finally:
        await storage.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200.0, help="size of the CSV (uncompressed)")
    parser.add_argument("--backend", choices=["sqlite", "null"], default="sqlite")
    parser.add_argument("--gzip", action="store_true", help="write and read a .csv.gz")
    parser.add_argument("--batch-size", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="echotune-bench-") as tmp:
        path = Path(tmp) / ("big.csv.gz" if args.gzip else "big.csv")
        rows_written = write_csv(path, int(args.mb * 1_000_000), args.gzip)
        before, peak_before = rss_mb(), peak_rss_mb()
        report, seconds, peak = asyncio.run(
            run_import(path, args.backend, Path(tmp) / "var", args.batch_size)
        )
        size = path.stat().st_size
    print(
        json.dumps(
            {
                "bench": "import_catalog",
                "backend": args.backend,
                "gzip": args.gzip,
                "file_mb": round(size / 1e6, 1),
                "rows": report.rows_read,
                "rows_written": rows_written,
                "seconds": round(seconds, 2),
                "rows_per_s": round(report.rows_read / seconds),
                "file_mb_per_s": round(size / 1e6 / seconds, 2),
                "rss_before_mb": round(before, 1),
                "rss_peak_during_mb": round(peak, 1),
                "rss_growth_mb": round(peak - before, 1),
                "ru_maxrss_growth_mb": round(peak_rss_mb() - peak_before, 1),
                "inserted": report.inserted,
                "duplicates": report.duplicates,
                "skipped": report.skipped,
            }
        )
    )


if __name__ == "__main__":
    main()
