"""The Telegram benchmarks, one after the other, each in its own interpreter.

    .venv/bin/python bench/telegram.py            # both (about 5 minutes on 2 cores)
    .venv/bin/python bench/telegram.py updates    # updates/s and reply latency, rate limiter off
    .venv/bin/python bench/telegram.py fanout     # digest fan-out to 10,000, rate limiter on

updates: bench/telegram_updates.py (the real Application against a fake Bot API over HTTP).
fanout:  bench/telegram_fanout.py (10,000 subscribers, our paced limiter side by side with
         PTB's AIORateLimiter as the baseline; exactly-once delivery across a restart).
Exit status is non-zero when a target is missed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = {"updates": "telegram_updates.py", "fanout": "telegram_fanout.py"}


def main(argv: list[str]) -> int:
    chosen = argv or list(PARTS)
    unknown = [a for a in chosen if a not in PARTS]
    if unknown:
        print(f"unknown part {unknown[0]!r}; choose from: {', '.join(PARTS)}", file=sys.stderr)
        return 2
    status = 0
    for part in chosen:
        print(f"== {part} ({PARTS[part]})", flush=True)
        status |= subprocess.call([sys.executable, str(HERE / PARTS[part])])
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
