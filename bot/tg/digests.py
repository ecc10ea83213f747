"""Digest jobs on PTB's JobQueue: one job per chat, at its local time, each slot sent once.

    setup_digests(app)   post_init: one job per chat that should get digests (PTB keeps no jobs
                         across restarts, the store does), plus a catch-up for a digest missed
                         while the bot was down (within digest.catch_up_minutes)
    schedule_chat(...)   (re)schedule one chat after /subscribe, /digest HH:MM, /digest on
    deliver_digest(...)  compose, claim, send, record: what a job and /digest now both call

Each job runs once at the UTC instant `bot.schedule.next_slot` computed for the chat's wall-clock
time and zone, then schedules the next one the same way. A fixed 24-hour interval (run_repeating,
or run_daily's cron trigger if its zone were ever dropped) drifts by an hour at each daylight-
saving change; computing each day's instant ourselves is right on both sides of it and easy to
test with an injected clock.

Exactly-once, as far as it can be had: the slot is claimed in the store (a compare-and-set on the
chat's last slot) *before* the first message goes out. That is at-most-once per slot: a crash
between the claim and the send loses that day's digest rather than sending it twice, and a
restart never repeats it. The content is not lost: what the chat has seen is recorded only after
every part was delivered, so the next digest carries whatever the lost one would have.

Sending: the Application's rate limiter (bot/tg/app.py, from `telegram.rate_limit`; see
bot/tg/ratelimit.py for one without a first-second burst) paces every request and retries 429s
itself; at most MAX_CONCURRENT_DIGESTS digests are in progress at once so a whole minute's
fan-out does not flood the event loop; a RetryAfter that still comes through is waited out and
retried `max_retries` times, a request that never left is tried again, a chat that blocked the bot
(Forbidden) gets its digests paused with its subscriptions kept (`touch_user`, on /start, resumes
them), and any other failure is logged and counted for that chat alone: each chat is its own job,
so one bad chat never stops the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import enum
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from apscheduler.jobstores.base import JobLookupError
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, CallbackContext, Job, JobQueue

from bot.briefs import BriefSet
from bot.config import Config
from bot.digest import compose_digest, render_digest
from bot.errors import StoreError
from bot.schedule import next_slot, previous_slot
from bot.subscriptions import ChatDigest, Store
from bot.tg import services

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
Sleep = Callable[[float], Awaitable[None]]

JOB_PREFIX = "digest:"
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# Failures of requests that never reached Telegram, so sending again cannot duplicate.
_NOT_SENT = (httpx.PoolTimeout, httpx.ConnectError, httpx.ConnectTimeout)
NOT_SENT_RETRIES = 6
# Digests in progress at once. Thousands fall due in the same minute; letting them all compose
# and queue for the rate limiter at once floods the event loop, and requests the limiter paced
# then reach Telegram in clumps (the bench saw 307 in one second at a 150/s limit). At 30/s and
# ~0.3 s per request, 10 are in flight; 32 leaves room.
MAX_CONCURRENT_DIGESTS = 32
_SEMAPHORES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)
# A job may start late when thousands fall due at once; APScheduler would skip it after 1 s.
MISFIRE_GRACE_SECONDS = 15 * 60


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Outcome(enum.StrEnum):
    SENT = "sent"
    NOTHING_NEW = "nothing new"
    ALREADY_SENT = "already sent"  # the slot was claimed before (a restart, a second job)
    BLOCKED = "blocked"  # Forbidden: digests paused
    PAUSED = "paused"  # blocked earlier and not back yet: nothing sent
    FAILED = "failed"  # logged; the content comes in the next digest


@dataclass(frozen=True, kw_only=True)
class DigestJob:
    """A job's data: the slot it sends (UTC epoch seconds) and the clock for the next one."""

    slot: int
    clock: Clock


async def deliver_digest(
    bot: Bot,
    store: Store,
    briefs: BriefSet,
    chat_id: int,
    *,
    slot: int | None,
    max_retries: int = 3,
    max_items: int = 5,
    heading: str = "Your digest",
    sleep: Sleep = asyncio.sleep,
) -> Outcome:
    """Send `chat_id` what is new in its topics; `slot` None is an unscheduled /digest now."""
    try:
        if slot is not None:
            settings = store.digest_settings(chat_id)
            if settings is not None and settings.paused:
                return Outcome.PAUSED
        digest = compose_digest(
            store.subscriptions(chat_id), briefs, store.seen(chat_id), max_items=max_items
        )
        if digest is None:
            return Outcome.NOTHING_NEW
        if slot is not None and not store.claim_slot(chat_id, slot):
            return Outcome.ALREADY_SENT
        for text in render_digest(digest, heading=heading):
            await send_with_retries(bot, chat_id, text, max_retries=max_retries, sleep=sleep)
        store.mark_seen(chat_id, digest.seen)
    except Forbidden as exc:
        log.info("digest to chat %s: %s; digests paused until it talks to the bot", chat_id, exc)
        _pause(store, chat_id)
        return Outcome.BLOCKED
    except (TelegramError, StoreError) as exc:
        log.warning("digest to chat %s failed: %s", chat_id, exc)
        return Outcome.FAILED
    return Outcome.SENT


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


def _deliveries() -> asyncio.Semaphore:
    """The running loop's cap on digests in progress at once (a semaphore binds to one loop)."""
    loop = asyncio.get_running_loop()
    semaphore = _SEMAPHORES.get(loop)
    if semaphore is None:
        semaphore = _SEMAPHORES[loop] = asyncio.Semaphore(MAX_CONCURRENT_DIGESTS)
    return semaphore


def _seconds(value: Any) -> float:
    # PTB 22 gives an int or, with PTB_TIMEDELTA set, a timedelta.
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


# --- jobs -----------------------------------------------------------------------------------------


def job_id(chat_id: int) -> str:
    return f"{JOB_PREFIX}{chat_id}"


# Jobs are found by their APScheduler id, a dict lookup: PTB's get_jobs_by_name scans every
# job, which made rescheduling 10,000 chats quadratic (minutes instead of milliseconds).


def digest_jobs(job_queue: JobQueue[Any], chat_id: int) -> tuple[Job[Any], ...]:
    """The chat's digest job, if it has one (a tuple so tests can say `(job,) = ...`)."""
    aps_job = job_queue.scheduler.get_job(job_id(chat_id))
    return () if aps_job is None else (Job.from_aps_job(aps_job),)


def unschedule_chat(job_queue: JobQueue[Any], chat_id: int) -> None:
    with contextlib.suppress(JobLookupError):
        job_queue.scheduler.remove_job(job_id(chat_id))


def chat_time(chat: ChatDigest, config: Config) -> tuple[str, str]:
    """The chat's digest time and zone, the config's defaults where it set none."""
    return (
        chat.time or config.digest.default_time,
        chat.timezone or config.digest.default_timezone,
    )


def schedule_chat(
    job_queue: JobQueue[Any],
    store: Store,
    config: Config,
    chat_id: int,
    *,
    clock: Clock = utcnow,
    catch_up: bool = False,
    after: dt.datetime | None = None,
) -> Job[Any] | None:
    """Replace the chat's digest job by one at its next slot; None when it gets no digests.

    `catch_up`: if the last slot passed within digest.catch_up_minutes and was never claimed, run now
    for that slot (the bot was down at digest time). `after`: schedule strictly after this
    instant (the slot just run), even if the clock reads a little earlier.
    """
    unschedule_chat(job_queue, chat_id)
    chat = store.digest_settings(chat_id)
    # A paused chat keeps its job (which skips it), so /start resuming it needs nothing here.
    if chat is None or chat.off or not store.subscriptions(chat_id):
        return None
    return _schedule(job_queue, chat, config, clock=clock, catch_up=catch_up, after=after)


def _schedule(
    job_queue: JobQueue[Any],
    chat: ChatDigest,
    config: Config,
    *,
    clock: Clock,
    catch_up: bool = False,
    after: dt.datetime | None = None,
) -> Job[Any]:
    hhmm, zone = chat_time(chat, config)
    now = clock()
    slot = next_slot(max(now, after) if after else now, hhmm, zone)
    when: dt.datetime | float = slot
    if catch_up and chat.last_slot is not None:
        missed = previous_slot(now, hhmm, zone)
        window = dt.timedelta(minutes=config.digest.catch_up_minutes)
        if now - missed <= window and chat.last_slot < int(missed.timestamp()):
            slot, when = missed, 0.0
    return job_queue.run_once(
        run_digest_job,
        when=when,
        chat_id=chat.chat_id,
        name=job_id(chat.chat_id),
        data=DigestJob(slot=int(slot.timestamp()), clock=clock),
        job_kwargs={
            "id": job_id(chat.chat_id),
            "replace_existing": True,
            "misfire_grace_time": MISFIRE_GRACE_SECONDS,
        },
    )


async def run_digest_job(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """A chat's digest time has come: deliver it, then schedule the next one."""
    job = context.job
    assert job is not None and job.chat_id is not None and isinstance(job.data, DigestJob)
    svc = services.get(context)
    store = svc.store
    assert store is not None
    try:
        async with _deliveries():
            await deliver_digest(
                context.bot,
                store,
                svc.engine.briefs,
                job.chat_id,
                slot=job.data.slot,
                max_retries=svc.config.telegram.rate_limit.max_retries,
                max_items=svc.config.digest.max_items_per_topic,
                heading="Your daily digest",
            )
    finally:
        if context.job_queue is not None:
            try:
                schedule_chat(
                    context.job_queue,
                    store,
                    svc.config,
                    job.chat_id,
                    clock=job.data.clock,
                    after=dt.datetime.fromtimestamp(job.data.slot, dt.UTC),
                )
            except StoreError as exc:
                # The next restart rebuilds the job from the store.
                log.error("cannot schedule the next digest of chat %s: %s", job.chat_id, exc)


async def setup_digests(
    application: Application[Any, Any, Any, Any, Any, Any], *, clock: Clock = utcnow
) -> None:
    """Rebuild every chat's digest job from the store (called from post_init)."""
    svc = application.bot_data[services.KEY]
    assert isinstance(svc, services.Services)
    if application.job_queue is None or svc.store is None:
        log.warning("digests are off: the application has no job queue or no store")
        return
    job_queue = application.job_queue
    # post_init runs before the job queue starts, when every lookup scans a list of pending
    # jobs: clear the old digest jobs (a second call) in one pass, then only add.
    for aps_job in job_queue.scheduler.get_jobs():
        if aps_job.id.startswith(JOB_PREFIX):
            job_queue.scheduler.remove_job(aps_job.id)
    chats = svc.store.digest_chats()
    for chat in chats:
        _schedule(job_queue, chat, svc.config, clock=clock, catch_up=True)
    log.info("scheduled %d digest jobs", len(chats))
