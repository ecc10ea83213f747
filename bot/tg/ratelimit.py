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

Several replicas share one bot token, so one limit. `SharedRateLimiter` (used when the store
is shared, i.e. PostgreSQL) keeps the group limit and 429 retries of the paced limiter and,
before each request to a chat, reserves the next free instant of the bot as a whole in the store
(`Store.reserve_send`: one row, advanced by one interval per request, on the database's
clock) and waits until then. The reservation is a blocking call, made in a thread of its own
(reservations queue on one database row anyway, so one thread is as fast as several and holds
one connection); a request Telegram answers with 429 and the limiter retries reserves again,
since it is another request.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from telegram.ext import AIORateLimiter, BaseRateLimiter

from bot.config import RateLimitConfig
from bot.errors import StoreError

log = logging.getLogger(__name__)

# Requests are paced at this share of the configured rate, to absorb timing jitter.
PACING_SHARE = 0.95
GROUP_BURST = 3


def paced_rate_limiter(limit: RateLimitConfig, *, overall: bool = True) -> AIORateLimiter:
    """AIORateLimiter with no overall burst: at most `overall_per_second` in any second.

    `overall` False leaves the overall pace to someone else (SharedRateLimiter's store).
    """
    group_burst = min(GROUP_BURST, max(1.0, limit.group_per_minute - 1))
    group_leak = (limit.group_per_minute - group_burst) / 60.0  # per second
    return AIORateLimiter(
        # A rate of 0 turns AIORateLimiter's overall bucket off.
        overall_max_rate=1 if overall else 0,
        overall_time_period=1 / send_rate(limit),
        group_max_rate=group_burst if group_leak > 0 else 1,
        group_time_period=group_burst / group_leak if group_leak > 0 else 60.0,
        max_retries=limit.max_retries,
    )


def send_rate(limit: RateLimitConfig) -> float:
    """Requests a second the bot is paced at: PACING_SHARE of the limit."""
    return limit.overall_per_second * PACING_SHARE


class Reserver(Protocol):
    def reserve_send(self, interval: float) -> float: ...


class SharedRateLimiter(BaseRateLimiter[int]):
    """The paced limiter of this process, plus a slot of the bot-wide pace from the store."""

    def __init__(self, limit: RateLimitConfig, store: Reserver) -> None:
        # The store's pace is the overall one; pacing here too would lose slots to each
        # other's timer jitter. The group limit and the 429 retries stay local.
        self._local = paced_rate_limiter(limit, overall=False)
        self._store = store
        self._interval = 1 / send_rate(limit)
        self._executor: ThreadPoolExecutor | None = None

    async def initialize(self) -> None:
        await self._local.initialize()

    async def shutdown(self) -> None:
        await self._local.shutdown()
        if self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if data.get("chat_id") is None:
            # As AIORateLimiter: the overall limit is about messages to chats.
            return await self._local.process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )

        async def paced(*a: Any, **kw: Any) -> bool | dict[str, Any] | list[dict[str, Any]]:
            await self._wait_turn()
            return await callback(*a, **kw)

        return await self._local.process_request(
            paced, args, kwargs, endpoint, data, rate_limit_args
        )

    async def _wait_turn(self) -> None:
        try:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="send-pace")
            loop = asyncio.get_running_loop()
            turn = await loop.run_in_executor(self._executor, self._reserve)
        except StoreError as exc:
            # Better late than never: a 429 from Telegram is retried by the local limiter.
            log.warning("no bot-wide send slot (%s); sending without the shared pace", exc)
            return
        # Sleep until the instant reserved, not for the delay from when this task resumed: the
        # loop may resume it late, and counting from then squeezes sends together.
        delay = turn - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)

    def _reserve(self) -> float:
        """The loop-clock instant of this request's turn (runs in the pacing thread)."""
        wait = self._store.reserve_send(self._interval)
        return time.monotonic() + wait
