"""A repeated update (Telegram re-delivering a webhook) is answered once, on whichever replica."""

from __future__ import annotations

import asyncio
import logging
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application

from bot.config import Config
from bot.engine import Engine
from bot.tg.app import build_application

from .fakebotapi import FakeRequest, FakeTelegram, make_message, message_data
from .shared import open_store, open_stores, shared_url

__all__ = ["open_stores", "shared_url"]  # fixtures

App = Application[Any, Any, Any, Any, Any, Any]
QUESTION = "How many civilians remain in Kursk?"


async def test_the_same_update_twice_gets_one_reply(
    app: App, api: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    update = make_message(QUESTION, app.bot)
    # As the webhook server does: both copies go on the update queue, handled concurrently.
    with caplog.at_level(logging.DEBUG, logger="bot.tg.dedupe"):
        await app.start()
        try:
            await app.update_queue.put(update)
            await app.update_queue.put(update)
            while not api.texts(42) or not app.update_queue.empty():
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.2)  # time for a second reply, were one coming
        finally:
            await app.stop()
    assert len(api.texts(42)) == 1
    assert f"update {update.update_id} was handled before" in caplog.text
    # Another update with the same words is another question, and is answered.
    await app.process_update(make_message(QUESTION, app.bot))
    assert len(api.texts(42)) == 2


async def test_a_repeat_that_reaches_another_replica_is_dropped_there(
    api: FakeTelegram, config: Config, shared_url: str | Path, open_stores: ExitStack
) -> None:
    apps = [
        build_application(
            config,
            engine=Engine.load(config),
            store=open_store(open_stores, shared_url, name),
            request=FakeRequest(api),
            replica=name,
        )
        for name in ("replica-a", "replica-b")
    ]
    data = {**message_data(QUESTION), "update_id": 777}
    async with apps[0], apps[1]:
        for app in (*apps, apps[0]):
            await app.process_update(Update.de_json(dict(data), app.bot))
    assert len(api.texts(42)) == 1
