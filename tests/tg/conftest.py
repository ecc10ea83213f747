"""Fixtures for the Telegram tests: a fresh fake Bot API per test and a bot bound to it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from .fakebotapi import TOKEN, FakeRequest, FakeTelegram

# As bot/tg/__init__.py does: RetryAfter carries a timedelta, and PTB does not warn about it
# (pytest turns warnings into errors).
os.environ.setdefault("PTB_TIMEDELTA", "1")


@pytest.fixture
def api() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
async def bot(api: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, request=FakeRequest(api), get_updates_request=FakeRequest(api)) as bot:
        yield bot
