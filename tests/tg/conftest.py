"""Fixtures for the Telegram tests: a fresh fake Bot API per test, and the real Application
(real engine over a copy of tests/tg/briefs, real SQLite store) bound to it."""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot
from telegram.ext import Application

from bot.config import Config, RateLimitConfig, Secret, StorageConfig, TelegramConfig
from bot.engine import Engine
from bot.subscriptions import Store
from bot.tg.app import build_application

from .fakebotapi import ADMIN_ID, TOKEN, FakeRequest, FakeTelegram

# As bot/tg/__init__.py does: RetryAfter carries a timedelta, and PTB does not warn about it
# (pytest turns warnings into errors).
os.environ.setdefault("PTB_TIMEDELTA", "1")

BRIEFS = Path(__file__).parent / "briefs"


@pytest.fixture
def api() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
async def bot(api: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, request=FakeRequest(api), get_updates_request=FakeRequest(api)) as bot:
        yield bot


@pytest.fixture
def briefs_dir(tmp_path: Path) -> Path:
    """A writable copy of the test briefs (reload tests edit it)."""
    folder = tmp_path / "briefs"
    shutil.copytree(BRIEFS, folder)
    return folder


@pytest.fixture
def config(tmp_path: Path, briefs_dir: Path) -> Config:
    return Config(
        path=tmp_path / "config.yaml",
        seeds=tmp_path / "seeds",
        briefs=briefs_dir,
        admins=(ADMIN_ID,),
        storage=StorageConfig(url=f"sqlite:///{tmp_path / 'data' / 'briefbot.sqlite3'}"),
        telegram=TelegramConfig(rate_limit=RateLimitConfig(enabled=False)),
        token=Secret(TOKEN),
    )


def with_telegram(config: Config, **changes: Any) -> Config:
    return dataclasses.replace(config, telegram=dataclasses.replace(config.telegram, **changes))


@pytest.fixture
def engine(config: Config) -> Engine:
    return Engine.load(config)


@pytest.fixture
def store(config: Config) -> Iterator[Store]:
    store = Store.open(config.storage.url)
    yield store
    store.close()


@pytest.fixture
async def app(
    config: Config, engine: Engine, store: Store, api: FakeTelegram
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """The real Application, initialized (getMe answered by the fake), not polling."""
    application = build_application(
        config,
        engine=engine,
        store=store,
        request=FakeRequest(api),
        get_updates_request=FakeRequest(api),
    )
    async with application:
        api.clear()  # tests assert on what the handlers send, not on getMe
        yield application


@pytest.fixture
def many_topics(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Give the running bot 20 topics (copies of the test briefs) so lists need pages."""
    from bot.tg import services

    s = services.get_from(app)
    base = list(s.engine.briefs)
    briefs = {}
    for i in range(20):
        b = base[i % len(base)]
        slug = f"{b.slug}-{i}"
        briefs[slug] = dataclasses.replace(b, slug=slug, title=f"{b.title} ({i})")
    s.engine = Engine(dataclasses.replace(s.engine.briefs, briefs=briefs), s.engine.options)
