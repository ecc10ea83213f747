"""The paced limiter keeps every 1-second window under the limit, the first one included; the
shared one keeps it for several replicas together."""

from __future__ import annotations

import asyncio
import bisect
from contextlib import ExitStack
from pathlib import Path

from telegram.ext import AIORateLimiter, ExtBot

from bot.config import Config, RateLimitConfig
from bot.engine import Engine
from bot.tg.app import build_application
from bot.tg.ratelimit import SharedRateLimiter, paced_rate_limiter

from .conftest import with_telegram
from .fakebotapi import TOKEN, FakeRequest, FakeTelegram
from .shared import open_store, open_stores, shared_url

__all__ = ["open_stores", "shared_url"]  # fixtures


def max_in_window(times: list[float], width: float = 1.0) -> int:
    times = sorted(times)
    return max(bisect.bisect_left(times, t + width) - i for i, t in enumerate(times))


async def test_a_burst_of_sends_is_paced_under_the_overall_limit(api: FakeTelegram) -> None:
    limiter = paced_rate_limiter(RateLimitConfig(overall_per_second=40))
    async with ExtBot(TOKEN, request=FakeRequest(api), rate_limiter=limiter) as bot:  # type: ignore[arg-type]
        api.clear()
        await asyncio.gather(*(bot.send_message(chat, "digest") for chat in range(1, 61)))
    times = [c.at for c in api.sent()]
    assert len(times) == 60
    assert max_in_window(times) <= 40
    # Paced, not merely capped: 60 messages at 38/s take about a second and a half.
    assert max(times) - min(times) >= 1.4


def test_the_group_limit_keeps_a_small_burst_within_a_minute() -> None:
    limiter = paced_rate_limiter(RateLimitConfig(group_per_minute=20))
    group = limiter._get_group_limiter(-100)
    # A burst of 3, then 17 more over the minute: at most 20 in any 60 seconds.
    assert group.max_rate == 3
    assert abs(group.max_rate / group.time_period * 60 + group.max_rate - 20) < 1e-9


async def test_two_replicas_sharing_a_store_stay_under_the_limit_together(
    api: FakeTelegram, shared_url: str | Path, open_stores: ExitStack
) -> None:
    limit = RateLimitConfig(overall_per_second=40)
    bots = [
        ExtBot(
            TOKEN,
            request=FakeRequest(api),
            rate_limiter=SharedRateLimiter(limit, open_store(open_stores, shared_url, name)),
        )
        for name in ("replica-a", "replica-b")
    ]
    async with bots[0], bots[1]:
        api.clear()
        # Each replica alone would send at 38/s: together they would reach 76.
        await asyncio.gather(
            *(bot.send_message(chat, "digest") for bot in bots for chat in range(1, 31))
        )
    times = [c.at for c in api.sent()]
    assert len(times) == 60
    assert max_in_window(times) <= 40
    assert max(times) - min(times) >= 1.4


def test_the_application_paces_the_whole_bot_only_when_the_store_is_shared(
    config: Config, engine: Engine, shared_url: str | Path, open_stores: ExitStack
) -> None:
    limited = with_telegram(config, rate_limit=RateLimitConfig(enabled=True))
    store = open_store(open_stores, shared_url, "replica-a")
    limiter = build_application(limited, engine=engine, store=store).bot.rate_limiter
    expected = SharedRateLimiter if store.backend == "postgresql" else AIORateLimiter
    assert type(limiter) is expected
