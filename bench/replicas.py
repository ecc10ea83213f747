"""Replicas over PostgreSQL behind nginx: updates per second, p99 reply latency, digest fan-out.

The whole production set-up on one machine (tests/e2e/cluster.py): a throwaway PostgreSQL
(tests/pg.py), nginx in front of N `briefbot run --port` replicas in webhook mode, and the fake
Bot API in its own process posting updates to nginx and recording every request. The baseline,
in the same run, is 1 replica; then 3 replicas, each set on a fresh database.

For each replica count:
  burst    N updates handed to the fake at once (it posts them over up to 40 connections, as
           Telegram does); throughput = answered / time from the first hand-over to the last reply
  steady   updates offered at a fixed rate; reply latency from the hand-over to the reply's
           arrival at the fake (one system-wide monotonic clock), p50 / p99 / max
  fan-out  N subscribers inserted with a digest due now; time from the insert until every
           delivery row is done, the send phase (first to last digest), sends/s, the busiest
           1-second window against telegram.rate_limit.overall_per_second, and chats sent twice

The rate limiter is on (shared across replicas through PostgreSQL), at --limit sends/s.

    .venv/bin/python bench/replicas.py                      # briefs built from seeds/
    .venv/bin/python bench/replicas.py --updates 1000 --fanout 2000 --counts 1 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# bench/ holds telegram.py, which would shadow python-telegram-bot's `telegram` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

from tests.e2e.cluster import (  # noqa: E402
    CallLog,
    Cluster,
    add_subscribers,
    cpu_seconds,
    due_now,
    max_in_window,
    mixed_updates,
    running,
    wait_for,
)
from tests.pg import PostgresCluster, postgres_cluster  # noqa: E402


def replicas_cpu(cluster: Cluster) -> float:
    return sum(cpu_seconds(r.pid) for r in cluster.members if r.alive())


def sessions(cluster: Cluster) -> int:
    """PostgreSQL sessions opened on the replicas' database so far (pg_stat_database, PG 14+)."""
    [(count,)] = cluster.sql(
        "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
    )
    return int(count)


def updates_phase(
    cluster: Cluster, first_chat: int, n: int, rate: float | None, topic: str, time_limit: float
) -> dict[str, float]:
    log = CallLog(cluster.api, texts=False)
    log.refresh()
    updates = mixed_updates(first_chat, n, topic)
    chats = set(range(first_chat, first_chat + n))
    cpu = replicas_cpu(cluster)
    opened = sessions(cluster)
    cluster.api.schedule(updates, rate=rate)
    deadline = time.monotonic() + time_limit + (n / rate if rate else 0)
    replies: dict[int, float] = {}
    while time.monotonic() < deadline:
        time.sleep(0.25)
        for _, chat, _, at in log.sent(chats):
            replies.setdefault(chat, at)
        if len(replies) == n:
            break
    cpu = replicas_cpu(cluster) - cpu
    pushed = {int(c): t for c, t in cluster.api.pushed().items() if int(c) in chats}
    latencies = sorted((replies[c] - t) * 1000 for c, t in pushed.items() if c in replies)
    start = min(pushed.values()) if pushed else 0.0
    elapsed = max(replies.values()) - start if replies else float("nan")

    def pct(p: float) -> float:
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]

    return {
        "updates": n,
        "replied": len(latencies),
        "per_second": len(latencies) / elapsed if replies else 0.0,
        "p50": pct(50),
        "p99": pct(99),
        "max": latencies[-1] if latencies else float("nan"),
        "mean": statistics.fmean(latencies) if latencies else float("nan"),
        "cpu_ms": cpu * 1000 / n,
        # New connections per update: a pool that is too small opens and closes them.
        "sessions": (sessions(cluster) - opened) / n,
    }


def fanout_phase(
    cluster: Cluster, first_chat: int, n: int, topic: str, time_limit: float
) -> dict[str, float]:
    log = CallLog(cluster.api)  # with texts: a digest in parts is not a digest sent twice
    log.refresh()
    chats = set(range(first_chat, first_chat + n))
    cpu = replicas_cpu(cluster)
    inserted = time.monotonic()
    add_subscribers(cluster, sorted(chats), topic, digest_time=due_now())

    def done() -> bool:
        [(left,)] = cluster.sql(
            "SELECT count(*) FROM deliveries WHERE state <> 'done' AND chat_id BETWEEN %s AND %s",
            (first_chat, first_chat + n),
        )
        return len({c[1] for c in log.sent(chats)}) >= n and left == 0

    wait_for(done, time_limit, f"a fan-out to {n} chats", every=0.25)
    finished = time.monotonic()
    cpu = replicas_cpu(cluster) - cpu
    times = [c[3] for c in log.sent(chats)]
    replies = log.replies(chats)
    send_phase = max(times) - min(times) if times else float("nan")
    return {
        "subscribers": n,
        "messages": len(times),
        "seconds": finished - inserted,
        "send_seconds": send_phase,
        "per_second": len(times) / send_phase if times else 0.0,
        "busiest": max_in_window(times),
        "twice": sum(1 for texts in replies.values() if max(texts.values()) > 1),
        "missing": n - len(replies),
        "cpu_ms": cpu * 1000 / n,
    }


def run_set(
    pg: PostgresCluster, replicas: int, args: argparse.Namespace
) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory(prefix=f"briefbot-bench-{replicas}-") as tmp:
        cluster = Cluster(
            root=Path(tmp),
            storage_url=pg.create_database(f"bench_{replicas}_{os.getpid()}"),
            seeds=args.seeds,
            replicas=replicas,
            rate_limit=args.limit,
            # A tick of 2 s rather than ~20 s, so the fan-out starts at once.
            extra_env={"BRIEFBOT_SCHEDULER_TICK": "2"},
        )
        with running(cluster):
            topic = cluster.topics()[0]
            print(f"{replicas} replica(s): {len(cluster.topics())} topics, fan-out of {topic}")
            fake_cpu = cluster.api.cpu_seconds()
            updates_phase(cluster, 1_000_000, 100, None, topic, 30)  # warm-up
            out = {
                "burst": updates_phase(cluster, 2_000_000, args.updates, None, topic, 120),
                "steady": updates_phase(
                    cluster, 3_000_000, int(args.rate * args.seconds), args.rate, topic, 60
                ),
                "fanout": fanout_phase(cluster, 4_000_000, args.fanout, topic, 600),
            }
            out["machine"] = {
                "fake_cpu_s": cluster.api.cpu_seconds() - fake_cpu,
                "load": os.getloadavg()[0],
            }
        return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds", help="built once per set")
    parser.add_argument("--updates", type=int, default=2000, help="burst size")
    # Below what one replica manages on 2 cores (~130/s), so p99 measures latency, not a backlog.
    parser.add_argument("--rate", type=float, default=100.0, help="steady offered rate (/s)")
    parser.add_argument("--seconds", type=float, default=5.0, help="steady phase length")
    parser.add_argument("--fanout", type=int, default=10_000, help="subscribers")
    parser.add_argument("--limit", type=float, default=1000.0, help="overall sends/s limit")
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 3], help="replica counts")
    args = parser.parse_args(argv)
    results: dict[int, dict[str, dict[str, Any]]] = {}
    with postgres_cluster() as pg:
        for count in args.counts:
            results[count] = run_set(pg, count, args)
    print(
        f"cpus: {os.cpu_count()}  rate limit: {args.limit:.0f}/s shared  steady: {args.rate:.0f}/s"
    )
    for count, r in results.items():
        m = r["machine"]
        print(
            f"{count} replica(s): the fake Bot API used {m['fake_cpu_s']:.1f} s of CPU; load "
            f"average at the end {m['load']:.1f} (other work on the machine skews the figures)"
        )
    header = (
        f"{'replicas':<9}{'phase':<8}{'updates':>8}{'replied':>8}{'upd/s':>8}"
        f"{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'cpu ms/upd':>11}{'pg conn/upd':>12}"
    )
    print(header)
    print("-" * len(header))
    for count, r in results.items():
        for phase in ("burst", "steady"):
            p = r[phase]
            print(
                f"{count:<9}{phase:<8}{p['updates']:>8.0f}{p['replied']:>8.0f}"
                f"{p['per_second']:>8.0f}{p['p50']:>9.1f}{p['p99']:>9.1f}{p['max']:>9.1f}"
                f"{p['cpu_ms']:>11.2f}{p['sessions']:>12.2f}"
            )
    header = (
        f"{'replicas':<9}{'chats':>7}{'msgs':>7}{'total s':>9}{'send s':>8}{'msgs/s':>8}"
        f"{'busiest 1s':>11}{'twice':>7}{'missing':>8}{'cpu ms/chat':>12}"
    )
    print()
    print(header)
    print("-" * len(header))
    for count, r in results.items():
        f = r["fanout"]
        print(
            f"{count:<9}{f['subscribers']:>7.0f}{f['messages']:>7.0f}{f['seconds']:>9.1f}"
            f"{f['send_seconds']:>8.1f}{f['per_second']:>8.0f}{f['busiest']:>11.0f}{f['twice']:>7.0f}"
            f"{f['missing']:>8.0f}{f['cpu_ms']:>12.2f}"
        )
    ok = all(
        r["fanout"]["busiest"] <= args.limit
        and r["fanout"]["twice"] == 0
        and r["fanout"]["missing"] == 0
        and r["burst"]["replied"] == r["burst"]["updates"]
        for r in results.values()
    )
    print(
        f"every update answered, every digest sent once, under the limit: {'yes' if ok else 'NO'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
