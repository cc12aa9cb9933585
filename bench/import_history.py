"""Spotify streaming-history import: events/s and memory on a generated export.

Writes one `Streaming_History_Audio_*.json` of --records records in a temp
dir, shaped like a real export (23 keys in Spotify's order, pretty-printed
with 2-space indents, times mostly ascending, ~2% podcast episodes, a Zipf
mix of tracks with non-ASCII names, ~35% of plays under 30 s), then imports
it into a fresh SQLite store through the real services (`build_services`)
and prints one JSON object: events/s (records read per second of import),
MB/s, CPU seconds, and how much the resident memory grew (sampled every
20 ms) over the resident memory just before the import. A second
run of the same file measures the all-duplicates path.

    python -m bench.import_history --records 1000000 [--tracks N] [--again]

Memory grows with the distinct tracks the catalog lacks (each is held until
its file has been read through), not with the plays: compare two --records
at the same --tracks to see it flat.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Self

from pydantic import SecretStr

from echotune.catalog.artist_ids import base62
from echotune.listening.history_import import HistoryFile
from echotune.listening.import_report import HistoryImportReport
from echotune.observability.logging import configure_logging
from echotune.settings import CatalogSettings, Settings
from echotune.wiring import build_services

PLATFORMS = ["android", "windows", "ios", "Android OS 11 API 30 (Xiaomi, 21061119BI)"]
REASONS_START = ["trackdone", "clickrow", "fwdbtn", "playbtn", "appload", "backbtn"]
REASONS_END = ["trackdone", "endplay", "fwdbtn", "logout", "unexpected-exit"]
WORDS = ["love", "night", "Ünïcode", "fire", "मेरा", "dream", "blue", "rain", "Ω", "home"]
RECORD = """  {{
    "ts": "{ts}",
    "platform": {platform},
    "ms_played": {ms},
    "conn_country": "IN",
    "ip_addr": null,
    "master_metadata_track_name": {name},
    "master_metadata_album_artist_name": {artist},
    "master_metadata_album_album_name": {album},
    "spotify_track_uri": {uri},
    "episode_name": {episode},
    "episode_show_name": {show},
    "spotify_episode_uri": {episode_uri},
    "audiobook_title": null,
    "audiobook_uri": null,
    "audiobook_chapter_uri": null,
    "audiobook_chapter_title": null,
    "reason_start": "{start}",
    "reason_end": "{end}",
    "shuffle": {shuffle},
    "skipped": {skipped},
    "offline": false,
    "offline_timestamp": {offline},
    "incognito_mode": false
  }}"""


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class PeakRss:
    """Samples resident memory on a thread while the import runs."""

    def __init__(self) -> None:
        self.base = rss_mb()
        self.peak = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb())

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def _catalog(rng: random.Random, size: int) -> list[tuple[str, str, str, str]]:
    """(uri, name, artist, album), each already a JSON string."""
    tracks = []
    for i in range(size):
        name = " ".join(rng.choices(WORDS, k=rng.randint(1, 4))) + f" {i}"
        artist = f"{rng.choice(WORDS).title()} Band {i % (size // 8 + 1)}"
        uri = "spotify:track:" + base62(rng.getrandbits(128))
        tracks.append(tuple(json.dumps(v, ensure_ascii=False) for v in (uri, name, artist, name)))
    return tracks  # type: ignore[return-value]


def write_export(out: IO[str], records: int, distinct: int | None = None, seed: int = 7) -> None:
    rng = random.Random(seed)
    tracks = _catalog(rng, distinct or max(100, min(records // 20, 60_000)))
    weights = [1 / (rank + 1) for rank in range(len(tracks))]
    picks = rng.choices(tracks, weights=weights, k=records)
    when = datetime(2015, 1, 1, tzinfo=UTC)
    out.write("[\n")
    for i, (uri, name, artist, album) in enumerate(picks):
        when += timedelta(seconds=rng.randint(20, 400))
        podcast = rng.random() < 0.02
        ms = rng.randint(0, 29_999) if rng.random() < 0.35 else rng.randint(30_000, 360_000)
        fields = {"name": name, "artist": artist, "album": album, "uri": uri}
        episode = {"episode": "null", "show": "null", "episode_uri": "null"}
        if podcast:
            fields = dict.fromkeys(fields, "null")
            episode = {
                "episode": '"Ep. 1"',
                "show": '"A show"',
                "episode_uri": '"spotify:episode:x"',
            }
        out.write(",\n" if i else "")
        out.write(
            RECORD.format(
                ts=when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                platform=json.dumps(rng.choice(PLATFORMS)),
                ms=ms,
                start=rng.choice(REASONS_START),
                end=rng.choice(REASONS_END),
                shuffle=rng.choice(["true", "false"]),
                skipped=rng.choice(["true", "false", "false", "null"]),
                offline=int(when.timestamp()) - ms // 1000,
                **fields,
                **episode,
            )
        )
    out.write("\n]\n")


async def run_import(data_dir: Path, export: Path, again: bool) -> list[dict[str, object]]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=data_dir,
        secret_key=SecretStr("bench-secret-key"),
        catalog=CatalogSettings(autoload=False),
        log_level="WARNING",
    )
    # The retrain an import sets off logs: to stderr, and only warnings, so
    # that stdout stays one JSON object.
    configure_logging(settings.log_level)
    services = await build_services(settings)
    results: list[dict[str, object]] = []
    try:
        user, _ = await services.users.create_user("bench")
        for _ in range(2 if again else 1):
            with PeakRss() as rss:
                start, cpu = time.perf_counter(), time.process_time()
                report = await services.history.import_files(
                    user.id, [HistoryFile.from_path(export)]
                )
                elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
            results.append(_result(report, elapsed, cpu, export.stat().st_size, rss))
            # New plays set off a retrain in the background: it must end before
            # the next run (which it would slow) or the close (which it would
            # outlive), and it is not part of the import.
            await services.models.wait()
    finally:
        await services.close()
    return results


def _result(
    report: HistoryImportReport, elapsed: float, cpu: float, size: int, rss: PeakRss
) -> dict[str, object]:
    return {
        "records": report.records_read,
        "plays_new": report.plays_new,
        "duplicates": report.duplicates,
        "skipped": report.skipped.total,
        "tracks_added": report.tracks_added,
        "seconds": round(elapsed, 2),
        "events_per_s": round(report.records_read / elapsed),
        # CPU seconds of the whole process (both threads): on a shared machine
        # this says what the import costs when wall time cannot.
        "cpu_s": round(cpu, 2),
        "mb_per_s": round(size / 1e6 / elapsed, 1),
        "rss_base_mb": round(rss.base, 1),
        "rss_growth_mb": round(rss.peak - rss.base, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument(
        "--tracks", type=int, help="distinct tracks (default records/20, at most 60,000)"
    )
    parser.add_argument("--again", action="store_true", help="import twice (2nd: duplicates)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="echotune-bench-") as tmp:
        export = Path(tmp) / "Streaming_History_Audio_2015-2024_0.json"
        start = time.perf_counter()
        with export.open("w", encoding="utf-8") as out:
            write_export(out, args.records, args.tracks)
        written = time.perf_counter() - start
        runs = asyncio.run(run_import(Path(tmp) / "var", export, args.again))
        size = export.stat().st_size
    print(
        json.dumps({"file_mb": round(size / 1e6, 1), "generate_s": round(written, 1), "runs": runs})
    )


if __name__ == "__main__":
    main()
