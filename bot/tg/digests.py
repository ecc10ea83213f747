"""Sending digests: a delivery queue in the store, drained by a worker on every replica.

    deliver_digest(...)   compose and send one chat's digest, record what it saw: what the
                          worker and /digest now both call
    DeliveryWorker        claims queued deliveries with a lease and delivers them, a few at
                          a time; `drain()` until the queue is empty, `run()` forever

Digests are queued by the scheduler tick of the one leading replica (bot/tg/leader.py): one
row per (chat, slot), the slot being the UTC instant of the chat's local digest time. Any
replica's worker may send a row, and exactly one does:

    claim    `claim_deliveries` takes a few unfinished rows whose lease is free (FOR UPDATE SKIP
             LOCKED on PostgreSQL, so replicas never take the same row) and leases them to this
             replica for LEASE_SECONDS;
    start    `start_delivery` marks the row 'sending', only if the lease is still ours: a worker
             that stalled past its lease (and lost the row to another) sends nothing;
    send     compose, send every part, record what the chat has now seen;
    finish   `finish_delivery` marks it 'done' with the outcome. A finish that meets a restarting
             database is retried by the store's reconnect, never by sending again.

A delivery that would outlast its lease (429s waited out, a slow network) is cut off before the
lease ends and finished as failed, so no other replica can take a row whose sender is still
alive; its news comes with the next digest. The one ambiguity left is a replica that dies
between 'sending' and 'done': its row's lease runs out and another replica sends it again,
since the first may or may not have reached Telegram. That is at-least-once for at most the
deliveries a replica had in flight (DELIVERY_CONCURRENCY), and only when it dies; everything
else is exactly once. A row claimed MAX_ATTEMPTS times (its senders keep dying) is given up.
A stopping replica (SIGINT, SIGTERM) claims nothing more and finishes what it holds first.
A restart never re-sends a finished slot: the store queues each (chat, slot) once.

Sending: the Application's rate limiter (bot/tg/ratelimit.py; shared by all replicas when the
store is) paces every request and retries 429s itself; a RetryAfter that still comes through
is waited out and retried `max_retries` times, a request that never left is tried again, a chat
that blocked the bot (Forbidden) gets its digests paused with its subscriptions kept
(`touch_user`, on /start, resumes them), and any other failure is logged and finished for that
chat alone: one bad chat never stops the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import enum
import functools
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, TypeVar

import httpx
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.briefs import BriefSet
from bot.digest import compose_digest, render_digest
from bot.errors import StoreError
from bot.subscriptions import Delivery, Store
from bot.tg import services

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# Failures of requests that never reached Telegram, so sending again cannot duplicate.
_NOT_SENT = (httpx.PoolTimeout, httpx.ConnectError, httpx.ConnectTimeout)
NOT_SENT_RETRIES = 6
# Deliveries in flight per replica. Sends are paced by the rate limiter anyway; a few in
# flight keep it busy, and a replica killed mid-send leaves at most this many ambiguous.
DELIVERY_CONCURRENCY = 8
# How long a claimed delivery is ours. A replica that dies holding rows delays them this long.
LEASE_SECONDS = 30.0
LEASE_ENV = "BRIEFBOT_DELIVERY_LEASE"  # overrides LEASE_SECONDS (tests, tuning)
# A delivery still running this long before its lease ends is cut off (a fifth of a short one).
LEASE_MARGIN = 5.0
IDLE_POLL_SECONDS = 1.0
# A row claimed this many times keeps killing or stalling its senders: finished unsent.
MAX_ATTEMPTS = 3
# Threads for the worker's store calls. Each is a round trip of a fraction of a millisecond;
# two keep up with hundreds of deliveries a second without holding more database
# connections open than the store keeps idle.
STORE_THREADS = 2


async def _in_thread(executor: Executor | None, call: Callable[..., T], *args: Any) -> T:
    """Run a blocking store call off the event loop (`executor` None: asyncio's default)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor, functools.partial(call, *args))


class Outcome(enum.StrEnum):
    SENT = "sent"
    NOTHING_NEW = "nothing new"
    BLOCKED = "blocked"  # Forbidden: digests paused
    PAUSED = "paused"  # blocked earlier and not back yet: nothing sent
    FAILED = "failed"  # logged; the content comes in the next digest
    LEASE_LOST = "lease lost"  # another replica owns the row now: not sent by us
    ABANDONED = "abandoned"  # claimed MAX_ATTEMPTS times without finishing


async def deliver_digest(
    bot: Bot,
    store: Store,
    briefs: BriefSet,
    chat_id: int,
    *,
    scheduled: bool = False,
    max_retries: int = 3,
    max_items: int = 5,
    heading: str = "Your digest",
    sleep: Sleep = asyncio.sleep,
    executor: Executor | None = None,
) -> Outcome:
    """Send `chat_id` what is new in its topics; not `scheduled` is /digest now.

    Store calls run in a thread (of `executor`, if given): a database that is reconnecting
    must not stall the bot.
    """
    try:
        paused, topics, seen = await _in_thread(executor, _chat_state, store, chat_id)
        if scheduled and paused:
            return Outcome.PAUSED
        digest = compose_digest(topics, briefs, seen, max_items=max_items)
        if digest is None:
            return Outcome.NOTHING_NEW
        for text in render_digest(digest, heading=heading):
            await send_with_retries(bot, chat_id, text, max_retries=max_retries, sleep=sleep)
        await _in_thread(executor, store.mark_seen, chat_id, digest.seen)
    except Forbidden as exc:
        log.info("digest to chat %s: %s; digests paused until it talks to the bot", chat_id, exc)
        await _in_thread(executor, _pause, store, chat_id)
        return Outcome.BLOCKED
    except (TelegramError, StoreError) as exc:
        log.warning("digest to chat %s failed: %s", chat_id, exc)
        return Outcome.FAILED
    return Outcome.SENT


def _chat_state(store: Store, chat_id: int) -> tuple[bool, list[str], dict[str, frozenset[str]]]:
    settings = store.digest_settings(chat_id)
    paused = settings is not None and settings.paused
    return paused, store.subscriptions(chat_id), store.seen(chat_id)


def _pause(store: Store, chat_id: int) -> None:
    try:
        store.pause(chat_id)
    except StoreError as exc:
        log.warning("cannot pause chat %s: %s", chat_id, exc)


async def send_with_retries(
    bot: Bot, chat_id: int, text: str, *, max_retries: int, sleep: Sleep = asyncio.sleep
) -> None:
    """sendMessage (HTML), waiting out each 429 Telegram answers, at most `max_retries` times.

    A request that certainly never left (no free connection in the pool, connection refused)
    is tried again too, up to NOT_SENT_RETRIES times with a growing pause: thousands of digests
    falling due at once can fill the pool for longer than its timeout. A timeout after the
    request went out is not retried, since Telegram may have delivered it.
    """
    rate_limited = not_sent = 0
    while True:
        try:
            await bot.send_message(
                chat_id, text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
            )
            return
        except RetryAfter as exc:
            rate_limited += 1
            if rate_limited > max_retries:
                raise
            await sleep(_seconds(exc.retry_after) + 0.1)
        except NetworkError as exc:
            not_sent += 1
            if not isinstance(exc.__cause__, _NOT_SENT) or not_sent > NOT_SENT_RETRIES:
                raise
            await sleep(min(0.5 * 2 ** (not_sent - 1), 8.0))


def _seconds(value: Any) -> float:
    # PTB 22 gives an int or, with PTB_TIMEDELTA set, a timedelta.
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class DeliveryWorker:
    """Drains the store's delivery queue for one Application, as replica `owner`."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        *,
        owner: str,
        concurrency: int = DELIVERY_CONCURRENCY,
        lease_seconds: float = LEASE_SECONDS,
        idle_seconds: float = IDLE_POLL_SECONDS,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.application = application
        self.owner = owner
        self.concurrency = concurrency
        self.lease_seconds = lease_seconds
        self.idle_seconds = idle_seconds
        self._sleep = sleep
        self._wake = asyncio.Event()
        self._stopping = False
        self._executor = ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="deliveries")

    @property
    def margin(self) -> float:
        """Seconds before the lease ends at which a delivery still running is cut off."""
        return min(LEASE_MARGIN, self.lease_seconds / 5)

    @property
    def _services(self) -> services.Services:
        return services.get_from(self.application)

    def _store(self) -> Store:
        store = self._services.store
        if store is None:
            raise RuntimeError("the delivery worker needs an open store")
        return store

    def wake(self) -> None:
        """New rows were queued here: look now rather than at the next poll."""
        self._wake.set()

    async def claim(self, limit: int) -> list[tuple[Delivery, float]]:
        """Lease up to `limit` rows; each with the loop time by which it must be finished."""
        deadline = asyncio.get_running_loop().time() + self.lease_seconds - self.margin
        claim = functools.partial(
            self._store().claim_deliveries, limit=limit, lease_seconds=self.lease_seconds
        )
        claimed = await _in_thread(self._executor, claim, self.owner)
        return [(delivery, deadline) for delivery in claimed]

    async def deliver(self, delivery: Delivery, *, deadline: float) -> Outcome:
        """Send one claimed row, if it is still ours, and finish it."""
        store = self._store()
        if not await _in_thread(self._executor, store.start_delivery, delivery.id, self.owner):
            log.info("delivery %s: the lease passed to another replica; not sent", delivery.id)
            return Outcome.LEASE_LOST
        if delivery.state == "sending":
            # Its last sender died mid-send: it may have arrived. Sent again rather than lost.
            log.warning(
                "delivery %s to chat %s was in flight on a replica that stopped; sending again",
                delivery.id,
                delivery.chat_id,
            )
        if delivery.attempts > MAX_ATTEMPTS:
            log.error("delivery %s to chat %s: claimed %d times; given up", *_who(delivery))
            outcome = Outcome.ABANDONED
        else:
            outcome = await self._send(delivery, deadline)
        try:
            await _in_thread(
                self._executor, store.finish_delivery, delivery.id, self.owner, outcome.value
            )
        except StoreError as exc:
            log.error("delivery %s sent but not recorded as done: %s", delivery.id, exc)
        return outcome

    async def _send(self, delivery: Delivery, deadline: float) -> Outcome:
        svc = self._services
        try:
            async with asyncio.timeout_at(deadline):
                return await deliver_digest(
                    self.application.bot,
                    self._store(),
                    svc.engine.briefs,
                    delivery.chat_id,
                    scheduled=True,
                    max_retries=svc.config.telegram.rate_limit.max_retries,
                    max_items=svc.config.digest.max_items_per_topic,
                    heading="Your daily digest",
                    sleep=self._sleep,
                    executor=self._executor,
                )
        except TimeoutError:
            log.warning(
                "delivery %s to chat %s stopped before its lease ran out; "
                "its news comes with the next digest",
                delivery.id,
                delivery.chat_id,
            )
            return Outcome.FAILED

    async def drain(self) -> int:
        """Deliver until the queue has nothing claimable; the number of rows handled.

        Rows are claimed a few at a time as deliveries finish: claimed rows wait for nobody,
        so their lease is spent on sending them.
        """
        handled = 0
        running: set[asyncio.Task[Outcome]] = set()
        try:
            while True:
                free = self.concurrency - len(running)
                if not self._stopping and (not running or free >= max(1, self.concurrency // 2)):
                    for delivery, deadline in await self.claim(free):
                        running.add(asyncio.create_task(self.deliver(delivery, deadline=deadline)))
                if not running:
                    return handled
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    handled += 1
                    if task.exception() is not None:
                        log.error("delivery failed", exc_info=task.exception())
        finally:
            # Only when cancelled: a delivery cut off mid-send is the ambiguous case.
            for task in running:
                task.cancel()

    async def run(self) -> None:
        """Until `stop()`: drain the queue, then wait for the next poll or a wake-up."""
        while not self._stopping:
            try:
                await self.drain()
            except StoreError as exc:
                log.warning("delivery queue unavailable: %s", exc)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.idle_seconds)

    def stop(self) -> None:
        """Claim nothing more; `run()` returns once the deliveries in flight are finished."""
        self._stopping = True
        self._wake.set()

    def close(self) -> None:
        """Let the store threads go (after `run()` or `drain()` returned)."""
        self._executor.shutdown(wait=False)


def _who(delivery: Delivery) -> tuple[int, int, int]:
    return delivery.id, delivery.chat_id, delivery.attempts
