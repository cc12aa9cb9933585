"""Offline assistant reply time: the whole chat turn, in process. Prints JSON.

Builds the real services on a fresh SQLite store with the bundled catalog,
imports the real streaming-history sample (tests/listening/data) for one listener, and times
`ChatService.reply` (intent parsing, the recommend tool over the hybrid
ranker, the reply, the track check and storing the conversation) for
recommendation requests in varied phrasings. The response cache is off
(ECHOTUNE_LLM__CACHE_TTL_SECONDS=0), so every turn does the work. The
baseline in the same process: the same user's plain personal recommendation
call, which the turn wraps.

    python bench/chat_offline.py [--requests 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HISTORY = sorted((ROOT / "tests/listening/data").glob("Streaming_History_Audio_*.json"))
PHRASES = (
    "something upbeat for a run", "recommend some chill jazz", "songs like Daft Punk",
    "I need energetic music for the gym", "play me something calm for studying",
    "happy pop songs please", "some sad songs for a rainy day", "music for a party tonight",
    "recommend rock for driving", "give me focus music", "romantic songs for dinner",
    "dark electronic music", "relaxing tracks for sleep", "upbeat latin for cooking",
)  # fmt: skip


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


async def run(requests: int) -> dict[str, object]:
    from pydantic import SecretStr

    from echotune.chat.views import ChatInput
    from echotune.listening.history_import import HistoryFile
    from echotune.observability.logging import configure_logging
    from echotune.recommend.personal.models import PersonalRequest
    from echotune.settings import LLMSettings, Settings
    from echotune.wiring import bootstrap_catalog, build_services

    configure_logging("WARNING")  # stdout is for the JSON result only
    from threadpoolctl import threadpool_limits

    # As the server runs (create_app): one BLAS thread; two next to other work are far slower.
    threadpool_limits(limits=1, user_api="blas")

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            _env_file=None, env="test", data_dir=Path(tmp), log_level="WARNING",  # type: ignore[call-arg]
            secret_key=SecretStr("bench-secret-key"), llm=LLMSettings(cache_ttl_seconds=0),
        )
        services = await build_services(settings)
        try:
            await bootstrap_catalog(services)
            user, _ = await services.users.create_user("bench")
            await services.history.import_files(user.id, [HistoryFile.from_path(p) for p in HISTORY])
            await services.models.train()
            turns, recs = [], []
            for i in range(requests):
                message = PHRASES[i % len(PHRASES)]
                start = time.perf_counter()
                reply = await services.chat.reply(user, ChatInput(message=message))
                turns.append((time.perf_counter() - start) * 1000)
                assert reply.tracks, message
                start = time.perf_counter()
                await services.personal.recommend(user.id, PersonalRequest(limit=10))
                recs.append((time.perf_counter() - start) * 1000)
            warm = turns[len(PHRASES):]
            return {
                "requests": len(warm), "plays": await services.storage.listening.count(user.id),
                "turn_ms": {"p50": pct(warm, 0.5), "p99": pct(warm, 0.99),
                            "mean": round(statistics.fmean(warm), 2)},
                "baseline_recommend_ms": {"p50": pct(recs, 0.5), "p99": pct(recs, 0.99)},
                "ratio_p50": round(pct(warm, 0.5) / pct(recs, 0.5), 2),
                "target": "p99 <= 50 ms",
            }  # fmt: skip
        finally:
            await services.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.requests)), indent=2))


if __name__ == "__main__":
    main()
