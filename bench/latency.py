"""Answer latency of this checkout against another revision, side by side in one run.

    git worktree add /tmp/base <rev>
    .venv/bin/python bench/latency.py --briefs /tmp/bbc /tmp/base

Each checkout answers the same questions (tests/data/bbc_questions.yaml, then a "what did X
say" for two people of every brief and every brief's title, as bench/answers.py times them) on
the same brief folder, in its own subprocess, twice in turn (base, this, base, this) so that a
busy moment of the machine falls on both. A question's time is the best of three asks, after a
warm-up. Build the brief folder once with `bench/answers.py --bbc --bbc-briefs DIR`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, sys, time
from dataclasses import replace
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from bench.answers import load_cases
from bot.config import load_config
from bot.engine import Engine

root, briefs, questions = sys.argv[1:4]
engine = Engine.load(replace(load_config(Path(root) / "config.yaml"), briefs=Path(briefs)))
asked = [c.q for c in load_cases(Path(questions))]
asked += [f"what did {p} say" for b in engine.briefs for p in b.people[:2]]
asked += [b.title for b in engine.briefs]
for q in asked[:20]:
    engine.ask(q)
ms = []
for q in asked:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        engine.ask(q)
        best = min(best, time.perf_counter() - start)
    ms.append(best * 1000)
print(json.dumps(sorted(ms)))
"""


def run(checkout: Path, briefs: Path, questions: Path) -> list[float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(checkout), str(briefs), str(questions)],
        check=True,
        capture_output=True,
        text=True,
    )
    return list(json.loads(out.stdout.splitlines()[-1]))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("base", type=Path, help="a checkout of the revision to compare with")
    p.add_argument("--briefs", type=Path, required=True, help="the brief folder both answer from")
    p.add_argument("--questions", type=Path, default=ROOT / "tests" / "data" / "bbc_questions.yaml")
    args = p.parse_args()
    for round_ in (1, 2):
        for name, checkout in (("base", args.base), ("this", ROOT)):
            ms = run(checkout.resolve(), args.briefs, args.questions)
            n = len(ms)
            print(
                f"round {round_} {name:4}  {n} questions  p50 {ms[n // 2]:.2f} ms  "
                f"p90 {ms[int(n * 0.9)]:.2f} ms  p99 {ms[int(n * 0.99)]:.2f} ms  "
                f"max {ms[-1]:.2f} ms"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
