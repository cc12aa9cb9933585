"""Write the interaction files `echotune eval` is reported on. Prints JSON.

- playlists: the bundled catalog's playlists read as users; each distinct
  (playlist_id, track_id) pair is one interaction of weight 1. Read from the
  gzip'd CSV bundled in the package, so no outside file is needed.
- history: a Spotify extended streaming history export (one listener) cut
  into listening sessions, each session a "user": a new session starts when
  more than 30 minutes pass between one stream's end and the next one's
  start. Only music streams of at least 30 s count (Spotify's own threshold
  for a play; shorter ones are mostly skips); weight = plays of the track in
  the session.
- synthetic: `echotune.recommend.cf.synthetic` power-law listening (weights
  are play counts), for a dataset with thousands of users.
- movielens (optional, not committed: its licence forbids redistribution):
  MovieLens 100K ratings (`u.data`, or RecBole's bundled `ml-100k.inter`),
  every rating read as one implicit interaction of weight 1.

    python bench/eval_datasets.py --out tests/recommend/evaluation/data \
        --history /path/to/spotify-extended-streaming-history
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

from echotune.recommend.cf.files import write_interactions
from echotune.recommend.cf.synthetic import SyntheticSpec, synthetic_interactions

SESSION_GAP = timedelta(minutes=30)
MIN_PLAY_MS = 30_000


def playlist_triples() -> Iterator[tuple[str, str, float]]:
    bundled = resources.files("echotune.catalog") / "data" / "spotify_songs.csv.gz"
    seen: set[tuple[str, str]] = set()
    with bundled.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8", newline="") as text:
        for row in csv.DictReader(text):
            pair = (row["playlist_id"], row["track_id"])
            if pair not in seen:
                seen.add(pair)
                yield pair[0], pair[1], 1.0


def _streams(folder: Path) -> list[tuple[datetime, datetime, str]]:
    """(start, end, track id) of every music stream of at least 30 s, by start time."""
    streams = []
    for path in sorted(folder.glob("Streaming_History_Audio_*.json")):
        # Export files are a few MB each (Spotify splits them), so one json.load per file.
        for record in json.loads(path.read_text(encoding="utf-8")):
            uri, played = record.get("spotify_track_uri"), int(record.get("ms_played") or 0)
            if not uri or played < MIN_PLAY_MS:
                continue
            end = datetime.fromisoformat(record["ts"])
            streams.append((end - timedelta(milliseconds=played), end, uri.rsplit(":", 1)[-1]))
    streams.sort()
    return streams


def history_triples(folder: Path) -> Iterator[tuple[str, str, float]]:
    session: Counter[str] = Counter()
    session_id, last_end = "", None
    for start, end, track in _streams(folder):
        if last_end is None or start - last_end > SESSION_GAP:
            yield from ((session_id, t, float(n)) for t, n in sorted(session.items()))
            session, session_id = Counter(), "s" + start.strftime("%Y%m%dT%H%M%S")
        session[track] += 1
        last_end = max(end, last_end) if last_end else end
    yield from ((session_id, t, float(n)) for t, n in sorted(session.items()))


def movielens_triples(path: Path) -> Iterator[tuple[str, str, float]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            fields = line.split("\t")
            if len(fields) >= 3 and fields[0].isdigit():  # RecBole's header row is skipped
                yield fields[0], fields[1], 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("tests/recommend/evaluation/data"))
    parser.add_argument("--history", type=Path, help="folder of Streaming_History_Audio_*.json")
    parser.add_argument("--movielens", type=Path, help="MovieLens 100K u.data or ml-100k.inter")
    parser.add_argument("--synthetic-seed", type=int, default=0)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    written = {"playlists": write_interactions(args.out / "playlists.tsv.gz", playlist_triples())}
    if args.history:
        written["history_sessions"] = write_interactions(
            args.out / "history_sessions.tsv", history_triples(args.history)
        )
    if args.movielens:
        written["movielens"] = write_interactions(
            args.out / "movielens.tsv", movielens_triples(args.movielens)
        )
    spec = SyntheticSpec(seed=args.synthetic_seed)
    written["synthetic"] = write_interactions(
        args.out / "synthetic.tsv.gz", synthetic_interactions(spec).triples()
    )
    print(json.dumps({"out": str(args.out), "rows": written}, indent=2))


if __name__ == "__main__":
    main()
