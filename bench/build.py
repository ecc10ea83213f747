"""Benchmark `briefbot build`: time, peak memory and topic purity.

    .venv/bin/python bench/build.py [--bbc ../shared/corpora/bbc-news] [--seeds seeds]

Each build runs in a fresh subprocess so its peak memory (ru_maxrss) is its own. Output goes to
a temporary folder, never to the repository's briefs/. On the BBC sample (one article a file,
folder = true category) it builds 25%, 50% and 100% of the articles to show how time grows,
and measures topic purity: for each brief, the share of its cited articles that come from the
brief's most common category, weighted by articles. Targets: seeds in under 5 s; the whole
BBC sample in under 60 s and under 1 GB.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BBC = ROOT.parent / "shared" / "corpora" / "bbc-news"


def child(seeds: Path, out: Path, max_topics: int | None) -> None:
    """Run one build in this process and print its figures as JSON."""
    sys.path.insert(0, str(ROOT))
    from bot.briefs import load_briefs
    from bot.build import build
    from bot.config import Config

    config = Config()
    if max_topics is not None:
        config = dataclasses.replace(
            config, build=dataclasses.replace(config.build, max_topics=max_topics)
        )
    started = time.perf_counter()
    report = build(config, seeds=seeds, out=out, progress=False)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    topics = []
    for brief in load_briefs(out):
        # "seeds/business/001.txt" -> "business"; flat corpora have no category.
        topics.append(
            [s.file.split("/")[-2] if s.file.count("/") >= 2 else "" for s in brief.sources]
        )
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak_kb / 1024,
                "articles": report.articles_distinct,
                "topics": len(report.topics),
                "in_topics": report.stories - report.articles_without_topic,
                "sentences": report.sentences_kept,
                "categories": topics,
            }
        )
    )


def run(seeds: Path, max_topics: int | None = None) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="briefbot-bench-") as tmp:
        cmd = [sys.executable, __file__, "--child", str(seeds), str(Path(tmp) / "briefs")]
        if max_topics is not None:
            cmd += ["--max-topics", str(max_topics)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"build of {seeds} failed:\n{done.stderr[-2000:]}")
        result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
        return result


def purity(categories: list[list[str]]) -> float:
    total = sum(len(c) for c in categories)
    agree = sum(Counter(c).most_common(1)[0][1] for c in categories if c)
    return agree / total if total else 0.0


def bbc_sample(bbc: Path, share: float, into: Path) -> Path:
    """The first `share` of each category's files, linked (not copied) under `into`/seeds."""
    seeds = into / "seeds"
    for category in sorted(p for p in bbc.iterdir() if p.is_dir()):
        files = sorted(category.glob("*.txt"))
        (seeds / category.name).mkdir(parents=True)
        for f in files[: max(1, round(len(files) * share))]:
            (seeds / category.name / f.name).symlink_to(f)
    return seeds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    parser.add_argument("--bbc", type=Path, default=DEFAULT_BBC)
    parser.add_argument(
        "--child", nargs=2, type=Path, metavar=("SEEDS", "OUT"), help=argparse.SUPPRESS
    )
    parser.add_argument("--max-topics", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.max_topics)
        return

    rows: list[tuple[str, dict[str, object]]] = [("seeds/", run(args.seeds))]
    if args.bbc.is_dir():
        for share in (0.25, 0.5, 1.0):
            with tempfile.TemporaryDirectory(prefix="briefbot-bbc-") as tmp:
                seeds = bbc_sample(args.bbc, share, Path(tmp))
                rows.append((f"BBC {share:.0%}", run(seeds)))
                if share == 1.0:
                    # Every topic the corpus supports, not just the largest max_topics.
                    rows.append(("BBC 100%, all topics", run(seeds, max_topics=10_000)))
    else:
        print(f"(no BBC corpus at {args.bbc}; pass --bbc)", file=sys.stderr)

    header = f"{'corpus':<22} {'articles':>8} {'topics':>6} {'in topics':>9} {'sentences':>9} {'time s':>7} {'peak MB':>8} {'purity':>7}"
    print(header)
    print("-" * len(header))
    for name, r in rows:
        cats = r["categories"]
        assert isinstance(cats, list)
        pure = f"{purity(cats):.3f}" if name.startswith("BBC") else "-"
        print(
            f"{name:<22} {r['articles']:>8} {r['topics']:>6} {r['in_topics']:>9} "
            f"{r['sentences']:>9} {r['seconds']:>7.1f} {r['peak_mb']:>8.0f} {pure:>7}"
        )


if __name__ == "__main__":
    main()
