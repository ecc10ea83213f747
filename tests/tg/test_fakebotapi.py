"""The fake Bot API refuses what Telegram refuses, so tests against it mean something."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import Updater

from .fakebotapi import (
    SECRET_HEADER,
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_once_a_webhook_is_set_updates_are_posted_to_it_with_the_secret(
    api: FakeTelegram,
) -> None:
    port = free_port()
    async with (
        serving(api) as server,
        Bot(TOKEN, base_url=server.base_url) as bot,
    ):
        received: asyncio.Queue[object] = asyncio.Queue()
        updater = Updater(bot, received)
        async with updater:
            # python-telegram-bot's own webhook server, which refuses a wrong secret (403).
            await updater.start_webhook(
                listen="127.0.0.1",
                port=port,
                url_path="tg",
                webhook_url="https://bot.example.org/tg",
                secret_token="s3cret",
            )
            assert api.webhook is not None and api.webhook["url"] == "https://bot.example.org/tg"
            server.webhook_target = f"http://127.0.0.1:{port}/tg"  # the proxy's stand-in
            ids = await server.deliver(
                [message_data("first", chat_id=5), message_data("second", chat_id=6)], repeat=[1]
            )
            await updater.stop()
    got = [received.get_nowait() for _ in range(received.qsize())]
    assert all(isinstance(u, Update) for u in got)
    texts = sorted(
        (u.update_id, u.message.text) for u in got if isinstance(u, Update) and u.message
    )
    # The second update arrived twice, as when Telegram got no answer in time: same update_id.
    assert texts == [(ids[0], "first"), (ids[1], "second"), (ids[1], "second")]
    assert [(p.chat_id, p.attempt, p.repeat, p.status) for p in server.posts if p.chat_id == 6] == [
        (6, 1, False, 200),
        (6, 2, True, 200),
    ]
    with pytest.raises(asyncio.QueueEmpty):
        received.get_nowait()


@asynccontextmanager
async def receiver(statuses: list[int]) -> AsyncIterator[tuple[str, list[dict[str, str]]]]:
    """A webhook that answers the given HTTP statuses in turn (then 200) and records headers."""
    seen: list[dict[str, str]] = []
    connections: set[asyncio.Task[None]] = set()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        connections.add(task)
        try:
            while await reader.readline():
                headers = {}
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode().partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", 0)))
                seen.append({**headers, "update_id": str(json.loads(body)["update_id"])})
                status = statuses.pop(0) if statuses else 200
                writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: 0\r\n\r\n".encode())
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/hook", seen
    finally:
        server.close()
        for task in connections:
            task.cancel()
        await asyncio.gather(*connections, return_exceptions=True)
        await server.wait_closed()


async def test_a_refused_webhook_delivery_is_retried_until_accepted_or_given_up(
    api: FakeTelegram,
) -> None:
    api.webhook = {"url": "https://bot.example.org/hook", "secret_token": "abc"}
    async with receiver([502, 503]) as (url, seen), serving(api) as server:
        server.webhook_target = url
        server.retry_delays = (0.01, 0.01, 0.01)
        [first] = await server.deliver([message_data("hello", chat_id=9)])
        assert [(p.attempt, p.status) for p in server.posts] == [(1, 502), (2, 503), (3, 200)]
        assert [h["update_id"] for h in seen] == [str(first)] * 3
        assert {h[SECRET_HEADER.lower()] for h in seen} == {"abc"}
        # Nobody listening: tried once and after each delay, then given up.
        server.webhook_target = f"http://127.0.0.1:{free_port()}/hook"
        server.posts.clear()
        await server.deliver([message_data("lost", chat_id=10)])
        assert [(p.attempt, p.status) for p in server.posts] == [(1, 0), (2, 0), (3, 0), (4, 0)]


async def test_the_control_endpoint_schedules_webhook_posts_and_reports_them(
    api: FakeTelegram,
) -> None:
    api.webhook = {"url": "https://bot.example.org/hook"}
    async with receiver([]) as (url, seen), serving(api) as server:
        control = f"http://127.0.0.1:{server.port}/_fake"
        async with httpx.AsyncClient() as client:
            await client.post(f"{control}/webhook", json={"target": url})
            updates = [message_data(f"q{i}", chat_id=100 + i) for i in range(3)]
            await client.post(f"{control}/schedule", json={"updates": updates, "repeat": [0]})
            for _ in range(200):
                posts = (await client.get(f"{control}/posts")).json()["result"]
                if len(posts) == 4:
                    break
                await asyncio.sleep(0.01)
            later = (await client.get(f"{control}/posts?offset=3")).json()["result"]
            hook = (await client.get(f"{control}/webhook")).json()["result"]
    assert sorted((p[1], p[2], p[3], p[4]) for p in posts) == [
        (100, 1, False, 200),
        (100, 2, True, 200),
        (101, 1, False, 200),
        (102, 1, False, 200),
    ]
    assert later == posts[3:]
    assert len(seen) == 4 and "x-telegram-bot-api-secret-token" not in seen[0]
    assert hook == {"registered": {"url": "https://bot.example.org/hook"}, "target": url}
