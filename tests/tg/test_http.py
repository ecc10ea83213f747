"""End to end over real HTTP: the real Application talks to the fake Bot API on 127.0.0.1
through `telegram.base_url`, receives updates by long polling or by webhook, and replies."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import socket
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bot.config import Config, Secret, WebhookConfig
from bot.engine import Engine
from bot.subscriptions import Store
from bot.tg.app import build_application, quiet_http_loggers, webhook_options

from .conftest import with_telegram
from .fakebotapi import TOKEN, FakeTelegram, callback_data_update, message_data, serving


async def wait_for(condition: Callable[[], Any], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting"
        await asyncio.sleep(0.01)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_long_polling_delivers_updates_and_the_replies_reach_the_server(
    config: Config,
    engine: Engine,
    store: Store,
    api: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # everything, as a careless logging set-up would
    quiet_http_loggers()
    async with serving(api) as server:
        app = build_application(
            with_telegram(config, base_url=server.base_url), engine=engine, store=store
        )
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1)
            api.push_update(message_data("How many civilians are still in Kursk?", chat_id=42))
            api.push_update(callback_data_update("s:india-russia-ties", chat_id=43))
            await wait_for(lambda: api.sent(42) and api.sent(43))
            await app.updater.stop()
            await app.stop()
    assert "deleteWebhook" in api.methods()
    assert "3,000 Russian civilians, who were trapped" in api.texts(42)[0]
    assert api.texts(43)[0].startswith("<b>Sources of “India and Russia ties”</b>")
    assert len(api.requests("answerCallbackQuery")) == 1
    # The bot logged its work, and never the token (Bot API URLs carry it).
    assert any(r.name.startswith("telegram") for r in caplog.records)
    assert TOKEN not in caplog.text
    assert TOKEN.split(":")[1] not in caplog.text


async def test_webhook_mode_sets_the_webhook_and_answers_what_telegram_posts(
    config: Config, engine: Engine, store: Store, api: FakeTelegram
) -> None:
    port = free_port()
    config = with_telegram(
        config,
        mode="webhook",
        webhook=WebhookConfig(
            listen="127.0.0.1", port=port, url="https://bot.example.org/tg", url_path="tg"
        ),
    )
    config = dataclasses.replace(config, webhook_secret=Secret("s3cret-token"))
    async with serving(api) as server:
        app = build_application(
            with_telegram(config, base_url=server.base_url), engine=engine, store=store
        )
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_webhook(**webhook_options(config))
            assert api.webhook is not None
            assert api.webhook["url"] == "https://bot.example.org/tg"
            assert api.webhook["secret_token"] == "s3cret-token"
            update = {"update_id": 1, **message_data("india russia s-400", chat_id=42)}
            async with httpx.AsyncClient() as client:
                refused = await client.post(
                    f"http://127.0.0.1:{port}/tg",
                    json=update,
                    headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
                )
                accepted = await client.post(
                    f"http://127.0.0.1:{port}/tg",
                    json=update,
                    headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"},
                )
            await wait_for(lambda: api.sent(42))
            await app.updater.stop()
            await app.stop()
    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert len(api.sent(42)) == 1 and "S-400" in api.texts(42)[0]
