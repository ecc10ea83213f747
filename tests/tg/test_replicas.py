"""Two replicas, one store: one schedules, both deliver, each digest goes out once, and a /reload
on one reaches the other. Each replica is a real Application with its own store connection;
both talk to one fake Bot API, which sees what Telegram would."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import yaml
from telegram.ext import Application

from bot.config import Config
from bot.engine import Engine
from bot.subscriptions import Store
from bot.tg import services
from bot.tg.app import build_application
from bot.tg.digests import DeliveryWorker
from bot.tg.leader import Scheduler

from .fakebotapi import ADMIN_ID, FakeRequest, FakeTelegram, make_command_update
from .shared import open_store, open_stores, shared_url
from .test_digests import Clock

__all__ = ["open_stores", "shared_url"]  # fixtures

App = Application[Any, Any, Any, Any, Any, Any]


def replica(api: FakeTelegram, config: Config, store: Store, name: str) -> App:
    return build_application(
        config,
        engine=Engine.load(config),
        store=store,
        request=FakeRequest(api),
        get_updates_request=FakeRequest(api),
        replica=name,
    )


async def test_one_replica_leads_and_every_digest_is_sent_once_by_one_of_them(
    api: FakeTelegram, config: Config, shared_url: str | Path, open_stores: ExitStack
) -> None:
    a = open_store(open_stores, shared_url, "replica-a")
    b = open_store(open_stores, shared_url, "replica-b")
    chats = list(range(1, 41))
    for chat in chats:
        a.subscribe(chat, "kursk-fighting")
    clock = Clock("2027-01-10T08:00")  # the config's default digest time, UTC
    async with (
        replica(api, config, a, "replica-a") as app_a,
        replica(api, config, b, "replica-b") as app_b,
    ):
        ticks = [await Scheduler(store, config.digest, clock=clock).tick() for store in (a, b)]
        if a.shared:
            assert ticks == [40, None]  # b found the lead taken
        else:
            assert ticks == [40, 0]  # one process per SQLite file: whoever ticks finds it queued
        workers = [
            DeliveryWorker(app, owner=name, concurrency=4)
            for app, name in ((app_a, "replica-a"), (app_b, "replica-b"))
        ]
        handled = await asyncio.gather(*(w.drain() for w in workers))
    assert sum(handled) == 40
    assert Counter(call.params["chat_id"] for call in api.sent()) == Counter(chats)
    assert a.pending_deliveries() == 0


async def test_when_the_leader_stops_another_replica_takes_over(postgres_url: str) -> None:
    with ExitStack() as stack:
        a = open_store(stack, postgres_url, "replica-a")
        b = open_store(stack, postgres_url, "replica-b")
        assert a.try_lead() and a.is_leading()
        assert not b.try_lead()
        a.close()  # the process ends (or dies): the server frees its lock
        deadline = time.monotonic() + 10
        while not b.try_lead():
            assert time.monotonic() < deadline, "the lead was never freed"
            await asyncio.sleep(0.05)
        assert b.is_leading()


async def test_a_reload_on_one_replica_reaches_the_other(
    api: FakeTelegram, config: Config, briefs_dir: Path, postgres_url: str
) -> None:
    with ExitStack() as stack:
        a = open_store(stack, postgres_url, "replica-a")
        b = open_store(stack, postgres_url, "replica-b")
        app_a, app_b = replica(api, config, a, "replica-a"), replica(api, config, b, "replica-b")
        async with app_a, app_b:
            for app in (app_a, app_b):
                assert app.post_init is not None
                await app.post_init(app)
            try:
                before = services.get_from(app_b).engine
                path = briefs_dir / "kursk-fighting.yaml"
                brief = yaml.safe_load(path.read_text(encoding="utf-8"))
                brief["title"] = "Kursk"
                path.write_text(yaml.safe_dump(brief, allow_unicode=True), encoding="utf-8")
                await app_a.process_update(
                    make_command_update("/reload", app_a.bot, chat_id=ADMIN_ID)
                )
                assert "Changed (1): kursk-fighting" in api.last().params["text"]
                deadline = time.monotonic() + 10
                while services.get_from(app_b).engine is before:
                    assert time.monotonic() < deadline, "replica b never reloaded"
                    await asyncio.sleep(0.05)
                reloaded = services.get_from(app_b).engine.briefs
                assert reloaded.version == services.get_from(app_a).engine.briefs.version
                assert reloaded.briefs["kursk-fighting"].title == "Kursk"
                assert b.briefs_version() == reloaded.version
            finally:
                for app in (app_a, app_b):
                    assert app.post_shutdown is not None
                    await app.post_shutdown(app)
