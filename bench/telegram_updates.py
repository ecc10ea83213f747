"""Updates per second through the real Application, end to end over HTTP.

The fake Bot API (tests/tg/fakebotapi.py) serves on 127.0.0.1 from its own process and queues
the load itself, so this process runs nothing but the bot. The real
Application long-polls it (telegram.base_url), runs the real engine on real briefs and sends
every reply back over HTTP. The rate limiter is off: this measures the bot, not Telegram's limits.

Then the baseline, in the same run: a bare python-telegram-bot Application that echoes every
update, over the same fake server, connections and burst workload ("echo" row).

Two phases, each bounded in count and time:
  burst   N updates queued at once; throughput = N / time until the last reply
  steady  updates offered at a fixed rate (default 300/s); reply latency percentiles

Latency is from the moment an update is queued at the fake server to the moment the fake
server receives the reply (sendMessage) for it (both on the system-wide monotonic clock); each update comes from its own chat so every
reply is matched to its update.

    .venv/bin/python bench/telegram_updates.py                 # briefs/ if built, else test briefs
    .venv/bin/python bench/telegram_updates.py --briefs tests/tg/briefs --updates 2000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
# bench/ holds telegram.py, which would shadow python-telegram-bot's `telegram` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler  # noqa: E402

from bot.config import (  # noqa: E402
    Config,
    RateLimitConfig,
    Secret,
    StorageConfig,
    TelegramConfig,
)
from bot.engine import Engine  # noqa: E402
from bot.subscriptions import Store  # noqa: E402
from bot.tg.app import CONCURRENT_UPDATES, CONNECTION_POOL_SIZE, build_application  # noqa: E402
from tests.e2e.cluster import FakeBotApi  # noqa: E402
from tests.tg.fakebotapi import TOKEN, callback_data_update, message_data  # noqa: E402

OFF_TOPIC = [
    "Who won the football world cup?",
    "what's the weather like in Lisbon tomorrow",
    "recipe for banana bread",
    "hello",
]


def workload(engine: Engine, n: int, seed: int = 7) -> list[dict[str, Any]]:
    """A mix like real traffic: mostly questions, some commands, some button presses."""
    rng = random.Random(seed)
    briefs = list(engine.briefs)
    questions = [q for b in briefs for q in b.questions] + [b.title for b in briefs]
    questions += [c.text[:120] for b in briefs for c in b.summary[:2]]
    updates = []
    for i in range(n):
        chat_id = 100_000 + i
        roll = rng.random()
        if roll < 0.70:
            updates.append(message_data(rng.choice(questions), chat_id=chat_id))
        elif roll < 0.80:
            updates.append(message_data(rng.choice(OFF_TOPIC), chat_id=chat_id))
        elif roll < 0.85:
            updates.append(message_data("/topics", chat_id=chat_id))
        elif roll < 0.90:
            updates.append(message_data("/start", chat_id=chat_id))
        else:
            slug = rng.choice(briefs).slug
            action = rng.choice(["t", "s", "b"])
            updates.append(callback_data_update(f"{action}:{slug}", chat_id=chat_id))
    return updates


def first_replies(calls: list[list[Any]]) -> dict[str, float]:
    """chat id -> when the fake received the first reply sent to it."""
    out: dict[str, float] = {}
    for method, chat_id, ok, at in calls:
        if method == "sendMessage" and ok:
            out.setdefault(str(chat_id), at)
    return out


async def run_phase(
    client: httpx.AsyncClient,
    server: FakeBotApi,
    updates: list[dict[str, Any]],
    rate: float | None,
    time_limit: float,
) -> dict[str, float]:
    await client.post(f"{server.control}/clear")
    cpu = time.process_time()
    server_cpu = server.cpu_seconds()
    await client.post(f"{server.control}/schedule", json={"updates": updates, "rate": rate})
    deadline = time.monotonic() + time_limit + (len(updates) / rate if rate else 0)
    while True:
        await asyncio.sleep(0.25)
        data = (await client.get(f"{server.control}/calls")).json()["result"]
        calls, pushed = data["calls"], data["pushed"]
        replies = first_replies(calls)
        if len(pushed) == len(updates) and all(c in replies for c in pushed):
            break
        if time.monotonic() > deadline:
            break
    cpu = time.process_time() - cpu
    server_cpu = server.cpu_seconds() - server_cpu
    latencies = sorted((replies[c] - t) * 1000 for c, t in pushed.items() if c in replies)
    done = [replies[c] for c in pushed if c in replies]
    start = min(pushed.values()) if pushed else 0.0
    elapsed = (max(done) - start) if done else float("nan")
    refused = sum(1 for _, _, ok, _ in calls if not ok)

    def pct(p: float) -> float:
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]

    return {
        "updates": len(updates),
        "replied": len(latencies),
        "refused": refused,
        "seconds": elapsed,
        "per_second": len(latencies) / elapsed if done else 0.0,
        "p50": pct(50),
        "p99": pct(99),
        "max": latencies[-1] if latencies else float("nan"),
        "mean": statistics.fmean(latencies) if latencies else float("nan"),
        # CPU the bot's process spent per update: what throughput a free core would allow,
        # whatever else the machine is doing.
        "cpu_ms": cpu * 1000 / len(updates),
        "server_cpu_ms": server_cpu * 1000 / len(updates),
    }


def echo_application(base_url: str, concurrency: int, pool: int) -> Any:
    """Bare PTB with the same connection settings: every message and button press echoed."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer()
        if update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, "echo")

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(base_url)
        .connection_pool_size(pool)
        .concurrent_updates(concurrency)
        .build()
    )
    app.add_handler(TypeHandler(Update, echo))
    return app


async def bench(args: argparse.Namespace) -> list[tuple[str, dict[str, float]]]:
    briefs = args.briefs
    if briefs is None:
        briefs = ROOT / "briefs" if (ROOT / "briefs" / "index.yaml").exists() else None
        briefs = briefs or ROOT / "tests" / "tg" / "briefs"
    results = []
    server = FakeBotApi()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = Config(
                briefs=Path(briefs),
                storage=StorageConfig(url=f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"),
                telegram=TelegramConfig(
                    base_url=server.base_url, rate_limit=RateLimitConfig(enabled=False)
                ),
                token=Secret(TOKEN),
            )
            engine = Engine.load(config)
            print(f"briefs: {briefs} ({len(engine.briefs)} topics)", file=sys.stderr)
            store = Store.open(config.storage.url)
            app = build_application(
                config,
                engine=engine,
                store=store,
                concurrent_updates=args.concurrency,
                connection_pool_size=args.pool,
            )
            async with app, httpx.AsyncClient() as client:
                await app.start()
                assert app.updater is not None
                await app.updater.start_polling(poll_interval=0, timeout=1)
                # Warm up: connections, caches.
                await run_phase(client, server, workload(engine, 50, seed=1), None, 10)
                phases = [
                    ("burst", workload(engine, args.updates, seed=2), None),
                    ("steady", workload(engine, int(args.rate * args.seconds), seed=3), args.rate),
                ]
                for name, updates, rate in phases:
                    result = await run_phase(client, server, updates, rate, args.time_limit)
                    results.append((name, result))
                await app.updater.stop()
                await app.stop()
            store.close()
            # The baseline in the same run: bare python-telegram-bot, echoing every update,
            # over the same fake server and workload. The gap is what Briefbot itself costs.
            echo = echo_application(server.base_url, args.concurrency, args.pool)
            async with echo, httpx.AsyncClient() as client:
                await echo.start()
                assert echo.updater is not None
                await echo.updater.start_polling(poll_interval=0, timeout=1)
                await run_phase(client, server, workload(engine, 50, seed=1), None, 10)
                updates = workload(engine, args.updates, seed=2)
                results.append(
                    ("echo", await run_phase(client, server, updates, None, args.time_limit))
                )
                await echo.updater.stop()
                await echo.stop()
    finally:
        server.stop()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--briefs", type=Path, default=None)
    parser.add_argument("--updates", type=int, default=2000, help="burst size")
    parser.add_argument("--rate", type=float, default=300.0, help="steady offered rate (/s)")
    parser.add_argument("--seconds", type=float, default=5.0, help="steady phase length")
    parser.add_argument("--time-limit", type=float, default=60.0, help="per phase, seconds")
    parser.add_argument("--concurrency", type=int, default=CONCURRENT_UPDATES)
    parser.add_argument("--pool", type=int, default=CONNECTION_POOL_SIZE, help="HTTP connections")
    args = parser.parse_args(argv)
    results = asyncio.run(bench(args))
    print(
        f"cpus: {os.cpu_count()}  concurrent updates: {args.concurrency}  "
        f"connections: {args.pool}  rate limiter: off"
    )
    header = f"{'phase':<8}{'updates':>8}{'replied':>8}{'refused':>8}{'upd/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'cpu ms/upd':>11}{'fake cpu':>9}"
    print(header)
    print("-" * len(header))
    for name, r in results:
        print(
            f"{name:<8}{r['updates']:>8.0f}{r['replied']:>8.0f}{r['refused']:>8.0f}"
            f"{r['per_second']:>9.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['max']:>9.1f}"
            f"{r['cpu_ms']:>11.2f}{r['server_cpu_ms']:>9.2f}"
        )
    burst, steady = dict(results)["burst"], dict(results)["steady"]
    ok = burst["per_second"] >= 300 and steady["p99"] < 100 and burst["refused"] == 0
    print(
        f"target (>= 300 updates/s, p99 < 100 ms at {args.rate:.0f}/s): {'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
