"""Digests: the scheduler tick queues them at local time across DST, a worker sends each once.

Time is an injected clock given to the scheduler, and the worker drains the queue when the
test says so: nothing sleeps until 08:00. Sends go through a real Application to the fake Bot
API; the store is a real one (SQLite here; the replica tests run on PostgreSQL too).
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
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ExtBot

from bot.briefs import BriefSet, Cited, load_briefs
from bot.config import Config
from bot.engine import Engine
from bot.subscriptions import Store
from bot.tg import services
from bot.tg.digests import (
    MAX_ATTEMPTS,
    NOT_SENT_RETRIES,
    DeliveryWorker,
    Outcome,
    deliver_digest,
)
from bot.tg.leader import Scheduler
from bot.tg.subscribing import HANDLERS

from .fakebotapi import TOKEN, FakeRequest, FakeTelegram
from .test_subscribing import make_config

App = Application[Any, Any, Any, Any, Any, Any]
NEWS = "Ukrainian officials said on Thursday that a new front had opened near Sudzha."


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def epoch(text: str) -> int:
    return int(utc(text).timestamp())


class Clock:
    """The time the scheduler sees; tests move it by hand."""

    def __init__(self, now: str) -> None:
        self.now = utc(now)

    def __call__(self) -> dt.datetime:
        return self.now

    def at(self, now: str) -> Clock:
        self.now = utc(now)
        return self


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


async def tick(app: App, clock: Clock) -> int | None:
    """One scheduler tick of `app` at the clock's time: the deliveries it queued."""
    s = svc(app)
    assert s.store is not None
    return await Scheduler(s.store, s.config.digest, clock=clock).tick()


async def drain(app: App, owner: str = "replica-a", **options: Any) -> int:
    return await DeliveryWorker(app, owner=owner, **options).drain()


async def digest_time(app: App, clock: Clock) -> int:
    """The clock strikes: tick, then send what was queued; the deliveries handled."""
    await tick(app, clock)
    return await drain(app)


def with_news(briefs: BriefSet, slug: str, text: str) -> BriefSet:
    brief = briefs.briefs[slug]
    first = brief.summary[0]
    added = Cited(text=text, source=first.source, line=first.line)
    changed = dataclasses.replace(brief, details=(*brief.details, added))
    return dataclasses.replace(briefs, briefs={**briefs.briefs, slug: changed}, version="news")


def svc(app: App) -> services.Services:
    return services.get_from(app)


def add_news(app: App, config: Config, text: str = NEWS) -> None:
    s = svc(app)
    s.engine = Engine(with_news(s.engine.briefs, "kursk-fighting", text), config.matching)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return make_config(tmp_path)  # digests at 08:00 Europe/Berlin by default


@pytest.fixture
def store(config: Config) -> Iterator[Store]:
    s = Store.open(config.storage.url)
    yield s
    s.close()


async def test_a_digest_goes_out_at_local_time_on_both_sides_of_the_spring_forward(
    api: FakeTelegram, config: Config, store: Store
) -> None:
    store.subscribe(42, "kursk-fighting")
    clock = Clock("2027-03-27T06:59")  # Berlin moves to summer time on Sunday 2027-03-28
    app = build(api, config, store)
    async with app:
        assert await tick(app, clock) == 0
        assert await tick(app, clock.at("2027-03-27T07:00")) == 1  # 08:00 CET
        assert await drain(app) == 1
        (first,) = api.texts(42)
        assert first.startswith("<b>Your daily digest</b>")
        assert "<b>The battle for Kursk</b> <i>(summary)</i>" in first

        add_news(app, config)
        assert await tick(app, clock.at("2027-03-28T05:59")) == 0
        assert await tick(app, clock.at("2027-03-28T06:00")) == 1  # 08:00 CEST, 23 hours later
        await drain(app)
        second = api.texts(42)[-1]
        assert "<i>(new)</i>" in second and NEWS in second
        assert "Russian soldiers are locked" not in second  # already sent yesterday
        # Where a fixed 24-hour interval would have put it: nothing more.
        assert await tick(app, clock.at("2027-03-28T07:00")) == 0
        assert await drain(app) == 0
    assert len(api.texts(42)) == 2


async def test_nothing_new_sends_nothing_and_the_next_day_is_still_queued(
    api: FakeTelegram, config: Config, store: Store
) -> None:
    store.subscribe(42, "india-russia-ties")
    clock = Clock("2027-01-10T07:00")
    app = build(api, config, store)
    async with app:
        await digest_time(app, clock)
        assert len(api.texts(42)) == 1
        assert await tick(app, clock.at("2027-01-11T07:00")) == 1
        assert await drain(app) == 1
        assert len(api.texts(42)) == 1
        assert store.pending_deliveries() == 0
        assert await tick(app, clock.at("2027-01-12T07:00")) == 1


async def test_a_restart_never_sends_the_same_digest_twice(
    api: FakeTelegram, config: Config
) -> None:
    store = Store.open(config.storage.url)
    store.subscribe(42, "kursk-fighting")
    clock = Clock("2027-01-10T07:00")
    app = build(api, config, store)
    async with app:
        await digest_time(app, clock)
    store.close()
    assert len(api.texts(42)) == 1

    # The process restarts half a minute later: a new store object on the same file.
    store = Store.open(config.storage.url)
    app = build(api, config, store)
    # News arrived since (so "nothing new" cannot hide a second send of the same slot).
    add_news(app, config)
    async with app:
        assert await tick(app, clock.at("2027-01-10T07:00:30")) == 0
        # Even queueing that slot again by hand (say, a second scheduler) queues nothing.
        slot = epoch("2027-01-10T07:00")
        assert store.enqueue_slot(None, None, slot, default_time="08:00", default_tz="UTC") == 0
        assert await drain(app) == 0
        assert len(api.texts(42)) == 1
        # The news goes out with the next day's digest.
        await digest_time(app, clock.at("2027-01-11T07:00"))
    store.close()
    assert len(api.texts(42)) == 2 and NEWS in api.texts(42)[1]


async def test_a_digest_missed_while_the_bot_was_down_is_sent_once_on_start(
    api: FakeTelegram, config: Config, store: Store
) -> None:
    store.subscribe(42, "kursk-fighting")
    clock = Clock("2027-01-10T07:20")  # back up 20 minutes after today's digest time
    app = build(api, config, store)
    async with app:
        assert await tick(app, clock) == 1
        await drain(app)
        assert len(api.texts(42)) == 1
        assert await tick(app, clock.at("2027-01-10T07:40")) == 0  # later ticks: nothing more
        assert await drain(app) == 0
    assert len(api.texts(42)) == 1


async def test_no_catch_up_beyond_the_configured_window(
    api: FakeTelegram, config: Config, store: Store
) -> None:
    config = dataclasses.replace(
        config, digest=dataclasses.replace(config.digest, catch_up_minutes=10)
    )
    store.subscribe(42, "kursk-fighting")
    app = build(api, config, store)
    async with app:
        assert await tick(app, Clock("2027-01-10T07:20")) == 0  # 20 minutes late: too late
        assert await drain(app) == 0
        assert await tick(app, Clock("2027-01-11T07:09")) == 1  # the next day, 9 minutes late
    assert api.texts(42) == []


async def test_a_fan_out_survives_429_and_403_and_a_blocked_chat_is_paused_then_resumed(
    api: FakeTelegram, config: Config, store: Store
) -> None:
    chats = [101, 102, 103, 104, 105]
    for chat in chats:
        store.subscribe(chat, "hegseth-ukraine-borders")
    api.flood(102, retry_after=1, times=1)
    api.block(103)
    clock = Clock("2027-01-10T07:00")
    app = build(api, config, store, limiter=True)
    async with app:
        assert await tick(app, clock) == 5
        assert await drain(app) == 5

        for chat in (101, 102, 104, 105):
            assert len(api.texts(chat)) == 1, chat
        refused = [c for c in api.requests("sendMessage", ok=False)]
        assert sorted(c.params["chat_id"] for c in refused) == [102, 103]
        settings = store.digest_settings(103)
        assert settings is not None and settings.paused
        assert store.subscriptions(103) == ["hegseth-ukraine-borders"]

        # The next day the blocked chat is not even queued: no request to Telegram...
        assert await tick(app, clock.at("2027-01-11T07:00")) == 4
        await drain(app)
        assert len(api.requests("sendMessage", ok=None)) == 6
        # ...until its user unblocks the bot and sends /start (which calls touch_user).
        api.unblock(103)
        store.touch_user(103, user_id=103, is_group=False)
        await digest_time(app, clock.at("2027-01-12T07:00"))
        (resumed,) = api.texts(103)
        assert "<i>(summary)</i>" in resumed


async def test_retry_after_is_waited_out_and_when_retries_run_out_nothing_is_lost(
    api: FakeTelegram, config: Config, store: Store
) -> None:
    config = dataclasses.replace(
        config,
        telegram=dataclasses.replace(
            config.telegram,
            rate_limit=dataclasses.replace(config.telegram.rate_limit, max_retries=2),
        ),
    )
    store.subscribe(42, "kursk-fighting")
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    clock = Clock("2027-01-10T07:00")
    app = build(api, config, store)
    async with app:
        api.flood(42, retry_after=7, times=3)
        await tick(app, clock)
        assert await drain(app, sleep=sleep) == 1
        assert waits == [7.1, 7.1]
        assert api.texts(42) == []
        # The slot is finished (never sent twice), but what it carried comes with the next one.
        assert store.pending_deliveries() == 0
        assert await drain(app) == 0
        await digest_time(app, clock.at("2027-01-11T07:00"))
        assert "<i>(summary)</i>" in api.texts(42)[0]


async def test_a_topic_dropped_by_a_rebuild_does_not_stop_the_others(
    api: FakeTelegram, config: Config, store: Store
) -> None:
    store.subscribe(42, "a-topic-the-rebuild-dropped")
    store.subscribe(42, "india-russia-ties")
    app = build(api, config, store)
    async with app:
        outcome = await deliver_digest(app.bot, store, svc(app).engine.briefs, 42)
    assert outcome is Outcome.SENT
    (text,) = api.texts(42)
    assert "India and Russia ties" in text


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
        found = await deliver_digest(bot, store, briefs, 42, scheduled=True, sleep=sleep)
        assert found is outcome
    assert len(api.texts(42)) == (1 if outcome is Outcome.SENT else 0)
    assert len(pauses) == waits
    assert pauses == sorted(pauses)  # backing off, not hammering


async def test_the_configured_number_of_new_sentences_per_topic(
    api: FakeTelegram, config: Config, store: Store
) -> None:
    config = dataclasses.replace(
        config, digest=dataclasses.replace(config.digest, max_items_per_topic=1)
    )
    store.subscribe(42, "kursk-fighting")
    clock = Clock("2027-01-10T07:00")
    app = build(api, config, store)
    async with app:
        await digest_time(app, clock)
        add_news(app, config)
        add_news(app, config, NEWS + " Again.")
        await digest_time(app, clock.at("2027-01-11T07:00"))
    latest = api.texts(42)[-1]
    assert NEWS in latest and "and 1 more: /brief kursk-fighting" in latest


# --- leases ---------------------------------------------------------------------------------------


async def test_a_worker_whose_lease_was_lost_does_not_send(
    api: FakeTelegram, config: Config, store: Store
) -> None:
    store.subscribe(42, "kursk-fighting")
    app = build(api, config, store)
    async with app:
        await tick(app, Clock("2027-01-10T07:00"))
        slow = DeliveryWorker(app, owner="slow", lease_seconds=0.2)
        [(mine, deadline)] = await slow.claim(8)
        await asyncio.sleep(0.3)  # it stalls past its lease (a long GC pause, a frozen VM)
        other = DeliveryWorker(app, owner="other")
        [(theirs, _)] = await other.claim(8)
        assert theirs.id == mine.id
        assert await slow.deliver(mine, deadline=deadline) is Outcome.LEASE_LOST
        assert api.texts(42) == []
        assert await other.deliver(theirs, deadline=deadline + 30) is Outcome.SENT
    assert len(api.texts(42)) == 1
    assert store.pending_deliveries() == 0


async def test_rows_claimed_by_a_replica_that_died_go_out_once_its_lease_ends(
    api: FakeTelegram, config: Config, store: Store
) -> None:
    for chat in (1, 2, 3):
        store.subscribe(chat, "kursk-fighting")
    app = build(api, config, store)
    async with app:
        await tick(app, Clock("2027-01-10T07:00"))
        dead = DeliveryWorker(app, owner="killed", lease_seconds=1.0)
        assert len(await dead.claim(8)) == 3  # then kill -9: nothing more from it
        assert await drain(app, owner="survivor") == 0  # leased: not yet
        await asyncio.sleep(1.1)
        assert await drain(app, owner="survivor") == 3
    assert [len(api.texts(chat)) for chat in (1, 2, 3)] == [1, 1, 1]


async def test_a_delivery_that_was_in_flight_when_its_replica_died_is_sent_again(
    api: FakeTelegram, config: Config, store: Store
) -> None:
    """The one ambiguous case: it may have reached Telegram, so it is sent rather than lost."""
    store.subscribe(42, "kursk-fighting")
    app = build(api, config, store)
    async with app:
        await tick(app, Clock("2027-01-10T07:00"))
        dead = DeliveryWorker(app, owner="killed", lease_seconds=0.2)
        [(delivery, _)] = await dead.claim(8)
        assert store.start_delivery(delivery.id, "killed")  # killed mid-request
        await asyncio.sleep(0.3)
        assert await drain(app, owner="survivor") == 1
        assert store.pending_deliveries() == 0
    assert len(api.texts(42)) == 1


async def test_a_delivery_that_would_outlast_its_lease_is_cut_off_and_not_repeated(
    api: FakeTelegram, config: Config, store: Store
) -> None:
    store.subscribe(42, "kursk-fighting")
    app = build(api, config, store)
    async with app:
        await tick(app, Clock("2027-01-10T07:00"))
        api.flood(42, retry_after=1, times=1)  # waiting it out would pass the lease
        short = DeliveryWorker(app, owner="short", lease_seconds=0.5)
        [(delivery, deadline)] = await short.claim(8)
        assert await short.deliver(delivery, deadline=deadline) is Outcome.FAILED
        assert store.pending_deliveries() == 0  # finished: no other replica takes it up
        await asyncio.sleep(0.5)
        assert await drain(app, owner="other") == 0
    assert api.texts(42) == []


async def test_a_delivery_whose_senders_keep_dying_is_given_up(
    api: FakeTelegram, config: Config, store: Store
) -> None:
    store.subscribe(42, "kursk-fighting")
    app = build(api, config, store)
    async with app:
        await tick(app, Clock("2027-01-10T07:00"))
        for life in range(MAX_ATTEMPTS):
            dying = DeliveryWorker(app, owner=f"crashing-{life}", lease_seconds=0.05)
            [(delivery, _)] = await dying.claim(8)
            await asyncio.sleep(0.1)
        [(delivery, deadline)] = await DeliveryWorker(app, owner="last").claim(8)
        assert delivery.attempts == MAX_ATTEMPTS + 1
        worker = DeliveryWorker(app, owner="last")
        assert await worker.deliver(delivery, deadline=deadline) is Outcome.ABANDONED
        assert store.pending_deliveries() == 0
    assert api.texts(42) == []
