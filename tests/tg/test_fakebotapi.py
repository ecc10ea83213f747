"""The fake Bot API refuses what Telegram refuses, so tests against it mean something."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter

from .fakebotapi import (
    TOKEN,
    FakeTelegram,
    TelegramRefusal,
    message_data,
    parse_html,
    serving,
    serving_in_thread,
)


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<b>Kursk</b> &amp; Sudzha", "Kursk & Sudzha"),
        ('<a href="https://example.org/?a=1&amp;b=2">link</a>', "link"),
        ("<i>1 &lt; 2</i> &#8212; &#x2014;", "1 < 2 \u2014 \u2014"),
        ("<blockquote><b>quoted</b></blockquote>", "quoted"),
        ("a > b", "a > b"),
    ],
)
def test_valid_html_is_parsed_to_the_visible_text(html: str, text: str) -> None:
    assert parse_html(html) == text


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>misnested</b></i>", 'expected "</i>", found "</b>"'),
        ("<p>paragraph</p>", 'Unsupported start tag "p"'),
        ("1 < 2", "Unclosed start tag"),
        ("AT&T", "Unsupported HTML entity"),
        ("</b>", "Unexpected end tag"),
        ("<a>no link</a>", "href"),
    ],
)
def test_malformed_html_is_refused_like_telegram(html: str, error: str) -> None:
    with pytest.raises(TelegramRefusal) as info:
        parse_html(html)
    assert info.value.code == 400
    assert error in info.value.description
    assert info.value.description.startswith("Bad Request: can't parse entities")


async def test_send_message_is_recorded_and_answered_like_telegram(
    api: FakeTelegram, bot: Bot
) -> None:
    first = await bot.send_message(42, "<b>Hi</b> there", parse_mode=ParseMode.HTML)
    second = await bot.send_message(42, "again")
    assert first.text == "Hi there"
    assert first.chat.id == 42 and first.chat.type == "private"
    assert second.message_id == first.message_id + 1
    assert api.texts(42) == ["<b>Hi</b> there", "again"]
    assert api.sent(42)[0].params["parse_mode"] == "HTML"
    assert "parse_mode" not in api.sent(42)[1].params


async def test_text_over_4096_characters_after_parsing_is_refused(
    api: FakeTelegram, bot: Bot
) -> None:
    fits = "<b>" + "x" * 4096 + "</b>"  # the tags do not count
    await bot.send_message(42, fits, parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.send_message(42, "x" * 4097)
    # Telegram counts UTF-16 code units: an emoji outside the BMP counts twice.
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.send_message(42, "\U0001f30d" * 2049)
    assert api.methods()[-2:] == ["sendMessage!", "sendMessage!"]


async def test_empty_text_and_malformed_html_are_refused(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)text is empty"):
        await bot.send_message(42, "  ")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(42, "Rock & roll", parse_mode=ParseMode.HTML)


async def test_callback_data_over_64_bytes_is_refused(bot: Bot) -> None:
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("Full brief", callback_data="b:" + "k" * 62)]])
    await bot.send_message(42, "fits", reply_markup=ok)
    # 63 ASCII bytes + one 2-byte character = 65 bytes.
    too_long = InlineKeyboardMarkup(
        [[InlineKeyboardButton("x", callback_data="b:" + "k" * 61 + "é")]]
    )
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(42, "too long", reply_markup=too_long)


async def test_blocked_chat_answers_403_and_flooded_chat_answers_429(
    api: FakeTelegram, bot: Bot
) -> None:
    api.block(5)
    with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
        await bot.send_message(5, "hello")
    api.flood(6, retry_after=3, times=1)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(6, "hello")
    assert info.value.retry_after == dt.timedelta(seconds=3)
    await bot.send_message(6, "hello again")  # the flood was for one request
    assert api.texts(6) == ["hello again"]


async def test_edit_needs_an_existing_message_and_a_change(bot: Bot) -> None:
    sent = await bot.send_message(42, "first")
    edited = await bot.edit_message_text("second", chat_id=42, message_id=sent.message_id)
    assert isinstance(edited, object) and getattr(edited, "text", None) == "second"
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_text("second", chat_id=42, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)not found"):
        await bot.edit_message_text("x", chat_id=42, message_id=9999)


async def test_a_method_can_be_told_to_fail(api: FakeTelegram, bot: Bot) -> None:
    api.fail("sendMessage", description="Bad Request: chat not found")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(42, "x")
    await bot.send_message(42, "y")


async def test_wrong_token_is_unauthorized(api: FakeTelegram) -> None:
    async with serving(api) as server, httpx.AsyncClient() as client:
        response = await client.post(f"{server.base_url}0:wrong/getMe")
    assert response.status_code == 401
    assert response.json()["ok"] is False


async def test_the_same_fake_over_http_sends_and_delivers_updates(api: FakeTelegram) -> None:
    async with serving(api) as server, Bot(TOKEN, base_url=server.base_url) as bot:
        assert bot.username == "briefbot_test_bot"
        await bot.send_message(42, "<i>over</i> HTTP", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(42, "<i>over HTTP", parse_mode=ParseMode.HTML)
        api.push_update(message_data("hello bot"))
        updates = await bot.get_updates(timeout=1)
        assert [u.message.text for u in updates if u.message] == ["hello bot"]
        # Confirming with the next offset drops it, as in Telegram.
        assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()
    assert api.texts(42) == ["<i>over</i> HTTP"]


def test_the_fake_can_serve_from_its_own_thread(api: FakeTelegram) -> None:
    with serving_in_thread(api) as server:
        response = httpx.post(f"{server.base_url}{TOKEN}/getMe")
    assert response.json()["result"]["username"] == "briefbot_test_bot"
    assert api.methods() == ["getMe"]
