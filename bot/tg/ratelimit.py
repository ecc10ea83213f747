"""A rate limiter that keeps every 1-second window under the limit, bursts included.

PTB's AIORateLimiter is built on aiolimiter's leaky bucket. Given `overall_max_rate=30,
overall_time_period=1` the bucket holds 30, so after any idle moment (every digest fan-out
starts after one) it lets 30 requests through at once and then 30 a second: 60 in the first
second, twice what Telegram allows (bench/telegram_fanout.py measures it). Telegram answers
such bursts with 429s.

`paced_rate_limiter` gives the same class a bucket of one request, leaking at 95% of the
limit: requests go out evenly spaced, so any 1-second window holds at most the limit even
with some network jitter. The group limit (20 a minute) keeps a small burst of 3 so a reply
in a busy group is not held 3 seconds, with the leak rate lowered so that burst plus a
minute's leak stays within the limit.
"""

from __future__ import annotations

from telegram.ext import AIORateLimiter

from bot.config import RateLimitConfig

# Requests are paced at this share of the configured rate, to absorb timing jitter.
PACING_SHARE = 0.95
GROUP_BURST = 3


def paced_rate_limiter(limit: RateLimitConfig) -> AIORateLimiter:
    """AIORateLimiter with no overall burst: at most `overall_per_second` in any second."""
    overall = limit.overall_per_second * PACING_SHARE
    group_burst = min(GROUP_BURST, max(1.0, limit.group_per_minute - 1))
    group_leak = (limit.group_per_minute - group_burst) / 60.0  # per second
    return AIORateLimiter(
        overall_max_rate=1,
        overall_time_period=1 / overall,
        group_max_rate=group_burst if group_leak > 0 else 1,
        group_time_period=group_burst / group_leak if group_leak > 0 else 60.0,
        max_retries=limit.max_retries,
    )
