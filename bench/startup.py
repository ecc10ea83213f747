"""Cold start of `briefbot ask`: without the index cache and with it, side by side.

    .venv/bin/python bench/startup.py                         # the committed briefs
    .venv/bin/python bench/startup.py --briefs /tmp/bbc       # e.g. briefs built from the BBC corpus

Each run is a fresh interpreter answering one question, timed from outside (wall time and peak
memory). "without" deletes the cache beside the briefs first, so the run loads, validates and
indexes the briefs, as every start did before bot.index_cache, and writes the cache; "with"
finds it. The two alternate, so both see the same machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.index_cache import cache_path  # noqa: E402


def run_once(config: Path, question: str) -> tuple[float, float]:
    """Wall seconds and peak MB of one `briefbot ask` in a fresh process."""
    cmd = [sys.executable, "-m", "bot", "ask", "--config", str(config), question]
    start = time.perf_counter()
    # The child's peak memory is read through wait4 (rusage of that one child).
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"`briefbot ask` failed: {err[:300]}")
    return seconds, usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--briefs", type=Path, default=ROOT / "briefs")
    parser.add_argument("--question", default="what did putin say")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    briefs = args.briefs.resolve()
    cache = cache_path(briefs)
    times: dict[str, list[float]] = {"without": [], "with": []}
    peaks: dict[str, list[float]] = {"without": [], "with": []}
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.yaml"
        config.write_text(f"briefs: {briefs}\n", encoding="utf-8")
        for _ in range(args.runs):
            for mode in ("without", "with"):
                if mode == "without":
                    cache.unlink(missing_ok=True)
                seconds, peak = run_once(config, args.question)
                times[mode].append(seconds)
                peaks[mode].append(peak)
    print(f"`briefbot ask {args.question!r}` on {briefs}, {args.runs} runs each, alternating")
    for mode in ("without", "with"):
        print(
            f"  {mode:8} index cache: median {statistics.median(times[mode]):.2f} s "
            f"(min {min(times[mode]):.2f}, max {max(times[mode]):.2f}), "
            f"peak {statistics.median(peaks[mode]):.0f} MB"
        )
    print(f"  cache file {cache.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
