"""Digest jobs: local time across DST, no double send after a restart, 429 and 403 in a fan-out.

Time is an injected clock and jobs are run with `Job.run` when the test says their time has
come: nothing sleeps until 08:00. Sends go through a real Application to the fake Bot API.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram.error import TimedOut
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ExtBot, Job

from bot.briefs import BriefSet, Cited, load_briefs
from bot.config import Config
from bot.engine import Engine
from bot.subscriptions import Store
from bot.tg import services
from bot.tg.digests import (
    NOT_SENT_RETRIES,
    DigestJob,
    Outcome,
    deliver_digest,
    digest_jobs,
    run_digest_job,
    setup_digests,
)
from bot.tg.subscribing import HANDLERS

from .fakebotapi import TOKEN, FakeRequest, FakeTelegram
from .test_subscribing import make_config

App = Application[Any, Any, Any, Any, Any, Any]
NEWS = "Ukrainian officials said on Thursday that a new front had opened near Sudzha."


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


class Clock:
    """The time the digest code sees; tests move it by hand."""

    def __init__(self, now: str) -> None:
        self.now = utc(now)

    def __call__(self) -> dt.datetime:
        return self.now


def build(api: FakeTelegram, config: Config, store: Store, *, limiter: bool = False) -> App:
    builder = ApplicationBuilder().token(TOKEN).request(FakeRequest(api))
    builder = builder.get_updates_request(FakeRequest(api))
    if limiter:
        builder = builder.rate_limiter(AIORateLimiter(overall_max_rate=30, max_retries=2))  # type: ignore[arg-type]
    application = builder.build()
    engine = Engine.load(config)
    services.install(application, services.Services(config=config, engine=engine, store=store))
    application.add_handlers(HANDLERS)
    return application


def with_news(briefs: BriefSet, slug: str, text: str) -> BriefSet:
    brief = briefs.briefs[slug]
    first = brief.summary[0]
    added = Cited(text=text, source=first.source, line=first.line)
    changed = dataclasses.replace(brief, details=(*brief.details, added))
    return dataclasses.replace(briefs, briefs={**briefs.briefs, slug: changed}, version="news")


def the_job(app: App, chat_id: int) -> Job[Any]:
    assert app.job_queue is not None
    jobs = [j for j in digest_jobs(app.job_queue, chat_id) if not j.removed]
    assert len(jobs) == 1, f"chat {chat_id} has {len(jobs)} digest jobs"
    return jobs[0]


def slot_of(job: Job[Any]) -> dt.datetime:
    assert isinstance(job.data, DigestJob)
    return dt.datetime.fromtimestamp(job.data.slot, dt.UTC)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return make_config(tmp_path)  # digests at 08:00 Europe/Berlin by default


@pytest.fixture
def store(config: Config) -> Iterator[Store]:
    s = Store.open(config.storage.path)
    yield s
    s.close()


async def test_a_digest_runs_at_local_time_on_both_sides_of_the_spring_forward(
    api: FakeTelegram, config: Config, store: Store
) -> None:
    store.subscribe(42, "kursk-fighting")
    clock = Clock("2027-03-27T05:00")  # Berlin moves to summer time on Sunday 2027-03-28
    app = build(api, config, store)
    async with app:
        await setup_digests(app, clock=clock)
        job = the_job(app, 42)
        assert slot_of(job) == utc("2027-03-27T07:00")  # 08:00 CET

        clock.now = slot_of(job)
        await job.run(app)
        (first,) = api.texts(42)
        assert first.startswith("<b>Your daily digest</b>")
        assert "<b>The battle for Kursk</b> <i>(summary)</i>" in first
        job = the_job(app, 42)
        assert slot_of(job) == utc("2027-03-28T06:00")  # 08:00 CEST, 23 hours later

        svc(app).engine = Engine(
            with_news(store_briefs(app), "kursk-fighting", NEWS), config.matching
        )
        clock.now = slot_of(job)
        await job.run(app)
        second = api.texts(42)[-1]
        assert "<i>(new)</i>" in second and NEWS in second
        assert "Russian soldiers are locked" not in second  # already sent yesterday
        assert slot_of(the_job(app, 42)) == utc("2027-03-29T06:00")


async def test_nothing_new_sends_nothing_and_the_next_day_is_still_scheduled(
    api: FakeTelegram, config: Config, store: Store
) -> None:
    store.subscribe(42, "india-russia-ties")
    clock = Clock("2027-01-10T06:00")
    app = build(api, config, store)
    async with app:
        await setup_digests(app, clock=clock)
        clock.now = utc("2027-01-10T07:00")
        await the_job(app, 42).run(app)
        assert len(api.texts(42)) == 1
        clock.now = utc("2027-01-11T07:00")
        await the_job(app, 42).run(app)
        assert len(api.texts(42)) == 1
        assert slot_of(the_job(app, 42)) == utc("2027-01-12T07:00")


async def test_a_restart_never_sends_the_same_digest_twice(
    api: FakeTelegram, config: Config
) -> None:
    store = Store.open(config.storage.path)
    store.subscribe(42, "kursk-fighting")
    clock = Clock("2027-01-10T06:59")
    app = build(api, config, store)
    async with app:
        await setup_digests(app, clock=clock)
        clock.now = utc("2027-01-10T07:00")
        await the_job(app, 42).run(app)
    store.close()
    assert len(api.texts(42)) == 1

    # The process restarts half a minute later: the store is reopened and jobs rebuilt.
    store = Store.open(config.storage.path)
    clock.now = utc("2027-01-10T07:00:30")
    app = build(api, config, store)
    # News arrived since (so "nothing new" cannot hide a second send of the same slot).
    svc(app).engine = Engine(with_news(store_briefs(app), "kursk-fighting", NEWS), config.matching)
    async with app:
        await setup_digests(app, clock=clock)
        assert slot_of(the_job(app, 42)) == utc("2027-01-11T07:00")  # no catch-up: it was sent
        # Even a job for the same slot firing again (say, a second scheduler) sends nothing.
        assert app.job_queue is not None
        again = app.job_queue.run_once(
            run_digest_job,
            when=3600,
            chat_id=42,
            name="stray",
            data=DigestJob(slot=int(utc("2027-01-10T07:00").timestamp()), clock=clock),
        )
        await again.run(app)
        again.schedule_removal()
        assert len(api.texts(42)) == 1
        # The news goes out with the next day's digest.
        clock.now = utc("2027-01-11T07:00")
        await the_job(app, 42).run(app)
    store.close()
    assert len(api.texts(42)) == 2 and NEWS in api.texts(42)[1]


async def test_a_digest_missed_while_the_bot_was_down_is_sent_once_on_start(
    api: FakeTelegram, config: Config, store: Store
) -> None:
    store.subscribe(42, "kursk-fighting")
    assert store.claim_slot(42, int(utc("2027-01-09T07:00").timestamp()))  # yesterday's went out
    clock = Clock("2027-01-10T07:20")  # back up 20 minutes after today's digest time
    app = build(api, config, store)
    async with app:
        await setup_digests(app, clock=clock)
        job = the_job(app, 42)
        assert slot_of(job) == utc("2027-01-10T07:00")
        await job.run(app)
        assert len(api.texts(42)) == 1
        await setup_digests(app, clock=clock)  # a second restart
        assert slot_of(the_job(app, 42)) == utc("2027-01-11T07:00")
    assert len(api.texts(42)) == 1


async def test_a_fan_out_survives_429_and_403_and_a_blocked_chat_is_paused_then_resumed(
    api: FakeTelegram, config: Config, store: Store
) -> None:
    chats = [101, 102, 103, 104, 105]
    for chat in chats:
        store.subscribe(chat, "hegseth-ukraine-borders")
    api.flood(102, retry_after=1, times=1)
    api.block(103)
    clock = Clock("2027-01-10T06:00")
    app = build(api, config, store, limiter=True)
    async with app:
        await setup_digests(app, clock=clock)
        clock.now = utc("2027-01-10T07:00")
        await asyncio.gather(*(the_job(app, chat).run(app) for chat in chats))

        for chat in (101, 102, 104, 105):
            assert len(api.texts(chat)) == 1, chat
        refused = [c for c in api.requests("sendMessage", ok=False)]
        assert sorted(c.params["chat_id"] for c in refused) == [102, 103]
        settings = store.digest_settings(103)
        assert settings is not None and settings.paused
        assert store.subscriptions(103) == ["hegseth-ukraine-borders"]
        assert all(slot_of(the_job(app, c)) == utc("2027-01-11T07:00") for c in chats)

        # The next day the blocked chat is skipped without a request to Telegram...
        clock.now = utc("2027-01-11T07:00")
        await the_job(app, 103).run(app)
        assert len(api.requests("sendMessage", ok=None)) == 6
        # ...until its user unblocks the bot and sends /start (which calls touch_user).
        api.unblock(103)
        store.touch_user(103, user_id=103, is_group=False)
        clock.now = utc("2027-01-12T07:00")
        await the_job(app, 103).run(app)
        (resumed,) = api.texts(103)
        assert "<i>(summary)</i>" in resumed


async def test_retry_after_is_waited_out_and_when_retries_run_out_nothing_is_lost(
    api: FakeTelegram, config: Config, store: Store
) -> None:
    store.subscribe(42, "kursk-fighting")
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    app = build(api, config, store)
    async with app:
        briefs = store_briefs(app)
        api.flood(42, retry_after=7, times=3)
        outcome = await deliver_digest(
            app.bot, store, briefs, 42, slot=1_000, max_retries=2, sleep=sleep
        )
        assert outcome is Outcome.FAILED
        assert waits == [7.1, 7.1]
        assert api.texts(42) == []
        # The slot is spent (at most once), but what it carried comes with the next digest.
        assert await deliver_digest(app.bot, store, briefs, 42, slot=1_000) is Outcome.ALREADY_SENT
        assert await deliver_digest(app.bot, store, briefs, 42, slot=2_000) is Outcome.SENT
        assert "<i>(summary)</i>" in api.texts(42)[0]


async def test_a_topic_dropped_by_a_rebuild_does_not_stop_the_others(
    api: FakeTelegram, config: Config, store: Store
) -> None:
    store.subscribe(42, "a-topic-the-rebuild-dropped")
    store.subscribe(42, "india-russia-ties")
    app = build(api, config, store)
    async with app:
        outcome = await deliver_digest(app.bot, store, store_briefs(app), 42, slot=None)
    assert outcome is Outcome.SENT
    (text,) = api.texts(42)
    assert "India and Russia ties" in text


def svc(app: App) -> services.Services:
    found = app.bot_data[services.KEY]
    assert isinstance(found, services.Services)
    return found


def store_briefs(app: App) -> BriefSet:
    return svc(app).engine.briefs


class CongestedRequest(FakeRequest):
    """The network seam when every pooled connection is busy: the first `busy` sends never leave."""

    def __init__(self, api: FakeTelegram, busy: int, cause: Exception) -> None:
        super().__init__(api)
        self.busy = busy
        self.cause = cause

    async def do_request(
        self, url: str, method: str, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        if url.endswith("/sendMessage") and self.busy > 0:
            self.busy -= 1
            raise TimedOut(
                "Pool timeout: All connections in the connection pool are occupied."
            ) from self.cause
        return await super().do_request(url, method, *args, **kwargs)


@pytest.mark.parametrize(
    ("cause", "busy", "outcome", "waits"),
    [
        (httpx.PoolTimeout("pool"), 2, Outcome.SENT, 2),  # never left: tried again
        (httpx.PoolTimeout("pool"), 99, Outcome.FAILED, NOT_SENT_RETRIES),  # gives up in the end
        (httpx.ReadTimeout("read"), 1, Outcome.FAILED, 0),  # may have arrived: not repeated
    ],
)
async def test_only_requests_that_never_left_are_sent_again(
    api: FakeTelegram,
    config: Config,
    store: Store,
    cause: Exception,
    busy: int,
    outcome: Outcome,
    waits: int,
) -> None:
    store.subscribe(42, "kursk-fighting")
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    async with ExtBot(TOKEN, request=CongestedRequest(api, busy, cause)) as bot:
        briefs = load_briefs(config.briefs)
        assert await deliver_digest(bot, store, briefs, 42, slot=1, sleep=sleep) is outcome
    assert len(api.texts(42)) == (1 if outcome is Outcome.SENT else 0)
    assert len(pauses) == waits
    assert pauses == sorted(pauses)  # backing off, not hammering


async def test_no_catch_up_beyond_the_configured_window(
    api: FakeTelegram, config: Config, store: Store
) -> None:
    config = dataclasses.replace(
        config, digest=dataclasses.replace(config.digest, catch_up_minutes=10)
    )
    store.subscribe(42, "kursk-fighting")
    assert store.claim_slot(42, int(utc("2027-01-09T07:00").timestamp()))
    clock = Clock("2027-01-10T07:20")  # 20 minutes late: past the 10-minute window
    app = build(api, config, store)
    async with app:
        await setup_digests(app, clock=clock)
        assert slot_of(the_job(app, 42)) == utc("2027-01-11T07:00")
    assert api.texts(42) == []


async def test_the_configured_number_of_new_sentences_per_topic(
    api: FakeTelegram, config: Config, store: Store
) -> None:
    config = dataclasses.replace(
        config, digest=dataclasses.replace(config.digest, max_items_per_topic=1)
    )
    store.subscribe(42, "kursk-fighting")
    clock = Clock("2027-01-10T06:00")
    app = build(api, config, store)
    async with app:
        await setup_digests(app, clock=clock)
        clock.now = utc("2027-01-10T07:00")
        await the_job(app, 42).run(app)
        briefs = with_news(store_briefs(app), "kursk-fighting", NEWS)
        svc(app).engine = Engine(
            with_news(briefs, "kursk-fighting", NEWS + " Again."), config.matching
        )
        clock.now = utc("2027-01-11T07:00")
        await the_job(app, 42).run(app)
    latest = api.texts(42)[-1]
    assert NEWS in latest and "and 1 more: /brief kursk-fighting" in latest
