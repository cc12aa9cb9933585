"""Spotify library sync under a rate limit, against the loopback fake. Prints JSON.

A child process serves the fake Spotify (tests/fakes/spotify) with one user
holding --saved saved tracks and --playlists playlists, and a rolling window of
--limit requests per --window seconds (429 with Retry-After above it). This
process runs the real sync (SyncService over the production client stack and a
fresh SQLite store) twice:

1. baseline: the same library with no window on the fake and a budget the
   client never reaches: the time the work itself takes here;
2. limited: client budget = the fake's limit. The floor for R requests at N per
   W seconds is floor((R - 1) / N) * W; we report total / floor (target <= 1.1),
   429s after the first (target 0) and lost items (target 0).

    python bench/spotify_sync.py                       # 10,000 saved, 2,000 playlists, 1000/30 s
    python bench/spotify_sync.py --limit 500 --window 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
USER = "benchuser"


def serve_fake(saved: int, playlists: int, items: int, limit: int, window: float) -> None:
    """Child: serve the fake until stdin closes, then print its request counts."""
    sys.path.insert(0, str(ROOT))
    from tests.fakes.spotify.server import running_fake

    with running_fake() as fake:
        fake.validate = False  # schema checks cost more than Spotify's own answers
        fake.state.add_user(USER, "Bench User", "premium")
        fake.state.seed_library(USER, n_saved=saved, n_playlists=playlists,
                                items_per_playlist=items, n_plays=50, n_top=50)  # fmt: skip
        if limit:
            fake.faults.window(limit, window)
        pair = fake.issue_tokens(USER)
        print(json.dumps({"port": fake.port, "access": pair.access_token,
                          "refresh": pair.refresh_token, "client_id": fake.client_id}), flush=True)
        sys.stdin.read()
        statuses = [e.status for e in fake.log.find("/v1/*")]
        first_429 = next((i for i, s in enumerate(statuses) if s == 429), None)
        print(json.dumps({
            "requests": len(statuses),
            "rate_limited": statuses.count(429),
            "rate_limited_after_first": 0 if first_429 is None
            else statuses[first_429 + 1:].count(429),
            "playlist_tracks": len({e.uri for p in fake.state.playlists.values()
                                    for e in p.entries}),
        }), flush=True)  # fmt: skip


async def run_sync(info: dict[str, str], data_dir: Path, limit: int, window: float) -> dict[str, object]:
    from pydantic import SecretStr

    from echotune.accounts.crypto import TokenCipher
    from echotune.accounts.models import SpotifyLink
    from echotune.observability.logging import configure_logging
    from echotune.settings import Settings, SpotifySettings
    from echotune.spotify.transport import Priority
    from echotune.wiring import build_services

    configure_logging("WARNING")  # stdout is for the JSON result only

    base = f"http://127.0.0.1:{info['port']}"
    settings = Settings(
        _env_file=None, env="test", data_dir=data_dir, log_level="WARNING",  # type: ignore[call-arg]
        secret_key=SecretStr("bench-secret-key"),
        spotify=SpotifySettings(client_id=info["client_id"], api_base=f"{base}/v1",
                                accounts_base=base, window_budget=limit or 1_000_000,
                                window_seconds=window, sync_interval_minutes=0),
    )
    services = await build_services(settings)
    try:
        user, _ = await services.storage.users.get_or_create("bench")
        cipher = TokenCipher(settings.secret_key.get_secret_value())
        now = datetime.now(UTC)
        await services.storage.spotify_links.upsert(SpotifyLink(
            user_id=user.id, spotify_user_id=USER, scope="", product="premium",
            access_token_enc=cipher.encrypt(info["access"]),
            refresh_token_enc=cipher.encrypt(info["refresh"]),
            expires_at=now + timedelta(hours=1), connected_at=now, updated_at=now))  # fmt: skip
        started = time.perf_counter()
        report = await services.sync.sync_user(user.id, priority=Priority.LOW)
        seconds = time.perf_counter() - started
        return {
            "seconds": round(seconds, 2),
            "saved_tracks": report.of("saved_tracks").items,
            "playlists": report.of("playlists").items,
            "tracks_in_catalog": await services.storage.tracks.count(),
        }
    finally:
        await services.close()


def one_run(args: argparse.Namespace, limit: int) -> dict[str, object]:
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve-fake", "--saved", str(args.saved),
         "--playlists", str(args.playlists), "--items", str(args.items),
         "--limit", str(limit), "--window", str(args.window)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    assert child.stdin and child.stdout
    info = json.loads(child.stdout.readline())
    with tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(run_sync(info, Path(tmp), limit, args.window))
    child.stdin.close()
    result.update(json.loads(child.stdout.readline()))
    child.wait(timeout=30)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saved", type=int, default=10_000)
    parser.add_argument("--playlists", type=int, default=2_000)
    parser.add_argument("--items", type=int, default=10, help="tracks per playlist")
    parser.add_argument("--limit", type=int, default=1000, help="requests per window (N)")
    parser.add_argument("--window", type=float, default=30.0, help="window seconds")
    parser.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake:
        serve_fake(args.saved, args.playlists, args.items, args.limit, args.window)
        return
    baseline = one_run(args, 0)
    limited = one_run(args, args.limit)
    requests = int(limited["requests"])  # type: ignore[call-overload]
    floor = ((requests - 1) // args.limit) * args.window
    print(json.dumps({
        "library": {"saved": args.saved, "playlists": args.playlists, "items": args.items},
        "limit": {"requests": args.limit, "window_seconds": args.window},
        "baseline_unlimited": baseline,
        "limited": limited,
        "floor_seconds": floor,
        "ratio_to_floor": round(float(limited["seconds"]) / floor, 3) if floor else None,  # type: ignore[arg-type]
        "lost_items": max(0, args.saved - int(limited["saved_tracks"]))  # type: ignore[call-overload]
        + max(0, args.playlists - int(limited["playlists"])),  # type: ignore[call-overload]
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
