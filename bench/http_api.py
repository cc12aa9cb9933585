"""Requests/s and p99 of /v1/recommendations beside /health/live, on one running server.

Starts `echotune serve` on a loopback port (its own data dir; the first start
imports the bundled catalog), creates a token, then drives both endpoints with
the same closed-loop load generator (C concurrent connections for D seconds
each), alternating them for several rounds. Prints JSON; the figure of merit
is the ratio of recommendation throughput to liveness throughput.

    python bench/http_api.py [--concurrency 32] [--seconds 8] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
GENRES = ["pop", "rock", "edm", "rap", "latin", "r&b"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rec_params(rng: random.Random) -> dict[str, str]:
    params = {"seed_genres": rng.choice(GENRES), "limit": "20"}
    if rng.random() < 0.5:
        params["target_energy"] = f"{rng.random():.2f}"
    if rng.random() < 0.3:
        params["min_danceability"] = "0.5"
    return params


async def drive(url: str, headers: dict[str, str], concurrency: int, seconds: float,
                recs: bool) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=10) as client:

        async def worker(seed: int) -> None:
            nonlocal errors
            rng = random.Random(seed)
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                r = await client.get(url, params=rec_params(rng) if recs else None)
                latencies.append(time.perf_counter() - start)
                errors += r.status_code != 200

        began = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def start_server(port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ECHOTUNE_DATA_DIR": str(data_dir), "ECHOTUNE_LOG_LEVEL": "INFO"}
    cmd = [sys.executable, "-m", "echotune.cli.main", "serve", "--port", str(port)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_ready(base: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("server did not become ready")


def make_token(data_dir: Path) -> str:
    env = {**os.environ, "ECHOTUNE_DATA_DIR": str(data_dir)}
    cmd = [sys.executable, "-m", "echotune.cli.main", "token", "create", "bench"]
    return subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout.strip()


async def measure(args: argparse.Namespace, base: str, token: str) -> dict[str, object]:
    headers = {"Authorization": f"Bearer {token}"}
    rounds: dict[str, list[dict[str, float]]] = {"health_live": [], "recommendations": []}
    await drive(f"{base}/v1/recommendations", headers, args.concurrency, 2, True)  # warm-up
    for _ in range(args.rounds):
        rounds["health_live"].append(
            await drive(f"{base}/health/live", headers, args.concurrency, args.seconds, False))
        rounds["recommendations"].append(
            await drive(f"{base}/v1/recommendations", headers, args.concurrency, args.seconds, True))
    med = {k: {m: statistics.median(r[m] for r in v) for m in v[0]} for k, v in rounds.items()}
    return {
        "concurrency": args.concurrency,
        "seconds_per_round": args.seconds,
        "rounds": args.rounds,
        "median": med,
        "ratio_rps_recommendations_to_live": med["recommendations"]["rps"] / med["health_live"]["rps"],
        "target_ratio": 0.5,
        "all_rounds": rounds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "bench-http")
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = start_server(port, args.data_dir)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base)
        token = make_token(args.data_dir)
        print(json.dumps(asyncio.run(measure(args, base, token)), indent=2))
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
