"""Subscription commands and buttons, through a real Application and the fake Bot API."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram.ext import Application, ApplicationBuilder

from bot.config import Config, DigestConfig, StorageConfig
from bot.engine import Engine
from bot.schedule import next_slot
from bot.subscriptions import Store
from bot.tg import services
from bot.tg.leader import enqueue_due, utcnow
from bot.tg.subscribing import HANDLERS, chat_time

from .fakebotapi import (
    TOKEN,
    USER_ID,
    FakeRequest,
    FakeTelegram,
    make_callback_query,
    make_command_update,
    make_message,
)

BRIEFS = Path(__file__).resolve().parent.parent / "data" / "fixture_briefs"
KURSK = "The battle for Kursk"
ANY_APP = Application[Any, Any, Any, Any, Any, Any]


def make_config(tmp_path: Path) -> Config:
    return dataclasses.replace(
        Config(),
        briefs=BRIEFS,
        storage=StorageConfig(url=f"sqlite:///{tmp_path / 'data' / 'briefbot.sqlite3'}"),
        digest=DigestConfig(default_time="08:00", default_timezone="Europe/Berlin"),
    )


def make_app(api: FakeTelegram, config: Config, store: Store) -> ANY_APP:
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(FakeRequest(api))
        .get_updates_request(FakeRequest(api))
        .build()
    )
    engine = Engine.load(config)
    services.install(application, services.Services(config=config, engine=engine, store=store))
    application.add_handlers(HANDLERS)
    return application


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "data" / "briefbot.sqlite3")
    yield s  # type: ignore[misc]
    s.close()


@pytest.fixture
async def app(api: FakeTelegram, tmp_path: Path, store: Store) -> AsyncIterator[ANY_APP]:
    application = make_app(api, make_config(tmp_path), store)
    async with application:
        yield application


async def send(app: ANY_APP, command: str, **kwargs: Any) -> None:
    await app.process_update(make_command_update(command, app.bot, **kwargs))


async def press(app: ANY_APP, data: str, **kwargs: Any) -> None:
    await app.process_update(make_callback_query(data, app.bot, **kwargs))


def buttons(api: FakeTelegram) -> list[str]:
    markup = api.last().params.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


_later = itertools.count(1)


def scheduled_slot(app: ANY_APP, chat_id: int = USER_ID) -> dt.datetime | None:
    """The chat's next digest time, if a scheduler tick then queues its digest, else None.

    A slot is queued once, so each call looks one more day ahead; the rows it queues are
    taken off the queue again.
    """
    s = services.get_from(app)
    assert s.store is not None
    settings = s.store.digest_settings(chat_id)
    if settings is None:
        hhmm, zone = s.config.digest.default_time, s.config.digest.default_timezone
    else:
        hhmm, zone = chat_time(settings, s.config)
    slot = next_slot(utcnow() + dt.timedelta(days=next(_later)), hhmm, zone)
    enqueue_due(s.store, s.config.digest, slot)
    queued = s.store.claim_deliveries("test", limit=1000, lease_seconds=60)
    for delivery in queued:
        assert s.store.start_delivery(delivery.id, "test")
        s.store.finish_delivery(delivery.id, "test", "checked by the test")
    ours = [d for d in queued if d.chat_id == chat_id]
    assert all(d.slot == int(slot.timestamp()) for d in ours)
    return slot if ours else None


async def test_subscribe_to_a_clearly_named_topic(
    app: ANY_APP, api: FakeTelegram, store: Store
) -> None:
    await send(app, "/subscribe kursk")
    assert store.subscriptions(USER_ID) == ["kursk-fighting"]
    text = api.last().params["text"]
    assert f"Subscribed to <b>{KURSK}</b>" in text
    assert "daily at 08:00 (Europe/Berlin)" in text
    assert "/digest now" in text
    # The scheduler queues its digest at 08:00 in Berlin.
    slot = scheduled_slot(app)
    assert slot is not None and slot > dt.datetime.now(dt.UTC)
    local = slot.astimezone(ZoneInfo("Europe/Berlin"))
    assert (local.hour, local.minute) == (8, 0)


async def test_subscribing_twice_says_so(app: ANY_APP, api: FakeTelegram, store: Store) -> None:
    await send(app, "/subscribe india russia")
    await send(app, "/subscribe India and Russia ties")
    assert store.subscriptions(USER_ID) == ["india-russia-ties"]
    assert "You already follow <b>India and Russia ties</b>" in api.last().params["text"]


async def test_several_matches_offer_buttons_and_subscribe_nothing(
    app: ANY_APP, api: FakeTelegram, store: Store
) -> None:
    engine = app.bot_data[services.KEY].engine
    found = [slug for slug, _ in engine.find_topics("russia ukraine", limit=8)]
    assert len(found) >= 2, "the fixture briefs should give this request several topics"
    await send(app, "/subscribe russia ukraine")
    assert "matches several topics" in api.last().params["text"]
    assert buttons(api) == [f"sub:{slug}" for slug in found]
    assert store.subscriptions(USER_ID) == []


async def test_no_match_says_so_and_points_to_topics(
    app: ANY_APP, api: FakeTelegram, store: Store
) -> None:
    await send(app, "/subscribe cricket <scores>")
    text = api.last().params["text"]
    assert (
        text
        == "I have no brief matching “cricket &lt;scores&gt;”. See /topics for what I can follow."
    )
    assert store.subscriptions(USER_ID) == []


async def test_subscribe_without_words_offers_every_topic_not_yet_followed(
    app: ANY_APP, api: FakeTelegram, store: Store
) -> None:
    store.subscribe(USER_ID, "kursk-fighting")
    await send(app, "/subscribe")
    assert "Which topic?" in api.last().params["text"]
    assert buttons(api) == ["sub:hegseth-ukraine-borders", "sub:india-russia-ties"]


async def test_the_subscribe_button_subscribes_and_confirms(
    app: ANY_APP, api: FakeTelegram, store: Store
) -> None:
    await press(app, "sub:india-russia-ties")
    assert store.subscriptions(USER_ID) == ["india-russia-ties"]
    assert api.last("answerCallbackQuery").params["text"] == "Subscribed to India and Russia ties"
    assert "Subscribed to <b>India and Russia ties</b>" in api.last().params["text"]
    assert scheduled_slot(app) is not None


async def test_a_stale_subscribe_button_gets_the_current_topics(
    app: ANY_APP, api: FakeTelegram, store: Store
) -> None:
    await press(app, "sub:a-topic-from-last-week")
    assert store.subscriptions(USER_ID) == []
    assert "no longer in the briefs" in api.last().params["text"]
    assert len(buttons(api)) == 3


async def test_unsubscribe_without_a_topic_offers_the_current_ones(
    app: ANY_APP, api: FakeTelegram, store: Store
) -> None:
    await send(app, "/unsubscribe")
    assert api.last().params["text"] == "You follow no topics. /subscribe &lt;topic&gt; to start."
    store.subscribe(USER_ID, "kursk-fighting")
    store.subscribe(USER_ID, "india-russia-ties")
    await send(app, "/unsubscribe")
    assert buttons(api) == ["unsub:kursk-fighting", "unsub:india-russia-ties"]


async def test_unsubscribe_by_words_and_the_digest_goes_with_the_last_topic(
    app: ANY_APP, api: FakeTelegram, store: Store
) -> None:
    await send(app, "/subscribe kursk")
    assert scheduled_slot(app) is not None
    await send(app, "/unsubscribe battle for kursk")
    assert api.last().params["text"] == f"Unsubscribed from <b>{KURSK}</b>."
    assert store.subscriptions(USER_ID) == []
    assert scheduled_slot(app) is None


async def test_unsubscribe_from_something_not_followed_offers_what_is(
    app: ANY_APP, api: FakeTelegram, store: Store
) -> None:
    store.subscribe(USER_ID, "kursk-fighting")
    await send(app, "/unsubscribe india")
    assert "You follow no topic matching “india”" in api.last().params["text"]
    assert buttons(api) == ["unsub:kursk-fighting"]
    assert store.subscriptions(USER_ID) == ["kursk-fighting"]


async def test_the_unsubscribe_button_and_a_stale_one(
    app: ANY_APP, api: FakeTelegram, store: Store
) -> None:
    store.subscribe(USER_ID, "kursk-fighting")
    await press(app, "unsub:kursk-fighting")
    assert store.subscriptions(USER_ID) == []
    assert api.last("answerCallbackQuery").params["text"] == f"Unsubscribed from {KURSK}"
    await press(app, "unsub:kursk-fighting")
    assert api.last("answerCallbackQuery").params["text"] == "You no longer follow that topic."
    assert api.last().params["text"] == "You follow no topics."


async def test_subscriptions_lists_topics_and_the_digest_time(
    app: ANY_APP, api: FakeTelegram, store: Store
) -> None:
    await send(app, "/subscriptions")
    assert "You follow no topics yet" in api.last().params["text"]
    await send(app, "/subscribe kursk")
    await send(app, "/subscribe hegseth")
    await send(app, "/subscriptions")
    text = api.last().params["text"]
    assert text.startswith(f"You follow:\n• {KURSK}\n• Hegseth on Ukraine's borders\n")
    assert "Digest: daily at 08:00 (Europe/Berlin), next on " in text
    assert buttons(api) == ["unsub:kursk-fighting", "unsub:hegseth-ukraine-borders"]


async def test_digest_time_and_zone_are_set_per_chat(
    app: ANY_APP, api: FakeTelegram, store: Store
) -> None:
    await send(app, "/subscribe kursk")
    await send(app, "/digest 07:30 asia/tokyo")
    settings = store.digest_settings(USER_ID)
    assert settings is not None and (settings.time, settings.timezone) == ("07:30", "Asia/Tokyo")
    assert "daily at 07:30 (Asia/Tokyo)" in api.last().params["text"]
    slot = scheduled_slot(app)
    assert slot is not None
    assert (slot.hour, slot.minute) == (22, 30)  # 07:30 in Tokyo (UTC+9, no DST)
    # A new time alone keeps the zone.
    await send(app, "/digest 9:00")
    assert "daily at 09:00 (Asia/Tokyo)" in api.last().params["text"]


@pytest.mark.parametrize(
    ("command", "reply"),
    [
        (
            "/digest 25:99",
            "“25:99” is not a time. Use the 24-hour clock, HH:MM, for example: /digest 08:00 Europe/Berlin",
        ),
        (
            "/digest 08:00 Mars/Olympus",
            "“Mars/Olympus” is not a time zone I know. Use an IANA name such as Europe/Berlin, America/New_York or Asia/Tokyo, for example: /digest 08:00 Europe/Berlin",
        ),
    ],
)
async def test_bad_digest_input_gets_a_clear_message_with_an_example(
    app: ANY_APP, api: FakeTelegram, store: Store, command: str, reply: str
) -> None:
    await send(app, command)
    assert api.last().params["text"] == reply
    settings = store.digest_settings(USER_ID)
    assert settings is not None and settings.time is None


async def test_digest_off_and_on(app: ANY_APP, api: FakeTelegram, store: Store) -> None:
    await send(app, "/subscribe kursk")
    await send(app, "/digest off")
    assert api.last().params["text"].startswith("Digests are off; your topics are kept.")
    assert scheduled_slot(app) is None
    assert store.subscriptions(USER_ID) == ["kursk-fighting"]
    await send(app, "/digest")
    assert "Digests are off: /digest on" in api.last().params["text"]
    await send(app, "/digest on")
    assert scheduled_slot(app) is not None
    assert "daily at 08:00 (Europe/Berlin)" in api.last().params["text"]


async def test_digest_without_topics_says_how_to_get_some(app: ANY_APP, api: FakeTelegram) -> None:
    await send(app, "/digest 06:00")
    assert "You follow no topics yet: /subscribe" in api.last().params["text"]
    assert scheduled_slot(app) is None
    await send(app, "/digest now")
    assert api.last().params["text"] == "You follow no topics yet. /subscribe &lt;topic&gt; first."


async def test_digest_now_sends_the_summary_then_only_news(
    app: ANY_APP, api: FakeTelegram, store: Store
) -> None:
    await send(app, "/subscribe kursk")
    await send(app, "/digest now")
    text = api.last().params["text"]
    assert text.startswith("<b>Your digest</b>")
    assert f"<b>{KURSK}</b> <i>(summary)</i>" in text
    assert "Russian soldiers are locked in a fierce battle" in text
    assert api.last().params["parse_mode"] == "HTML"
    await send(app, "/digest now")
    assert api.last().params["text"] == "Nothing new in your topics since your last digest."


async def test_a_group_subscribes_as_a_group_and_replies_stay_in_the_thread(
    app: ANY_APP, api: FakeTelegram, store: Store
) -> None:
    await send(app, "/subscribe@briefbot_test_bot kursk", chat_id=-1001, thread_id=5)
    assert store.subscriptions(-1001) == ["kursk-fighting"]
    assert store.subscriptions(USER_ID) == []
    assert api.last().params["message_thread_id"] == 5
    await press(app, "sub:india-russia-ties", chat_id=-1001, thread_id=5)
    assert store.subscriptions(-1001) == ["kursk-fighting", "india-russia-ties"]
    assert api.last().params["message_thread_id"] == 5


async def test_a_chat_that_blocked_the_bot_is_resumed_when_it_talks_again(
    app: ANY_APP, store: Store
) -> None:
    store.subscribe(USER_ID, "kursk-fighting")
    store.pause(USER_ID)
    await send(app, "/subscriptions")
    settings = store.digest_settings(USER_ID)
    assert settings is not None and not settings.paused


async def test_the_subscribe_button_under_an_answer_in_the_whole_bot(
    api: FakeTelegram, tmp_path: Path, store: Store
) -> None:
    """The full Application (bot.tg.app): an answer's Subscribe button, then post_init's
    scheduler, which leads (one process per SQLite file) and finds the new subscriber."""
    from bot.config import Secret
    from bot.tg.app import build_application

    config = dataclasses.replace(make_config(tmp_path), token=Secret(TOKEN))
    engine = Engine.load(config)
    application = build_application(config, engine=engine, store=store, request=FakeRequest(api))
    async with application:
        await application.process_update(
            make_message("how many civilians are still in kursk?", application.bot)
        )
        answer = api.last()
        datas = [
            b["callback_data"]
            for row in answer.params["reply_markup"]["inline_keyboard"]
            for b in row
        ]
        subscribe = next(d for d in datas if d.startswith("sub:"))
        await press(application, subscribe)
        assert store.subscriptions(USER_ID) == ["kursk-fighting"]
        assert "Subscribed to <b>The battle for Kursk</b>" in api.last().params["text"]
        assert application.post_init is not None and application.post_shutdown is not None
        await application.post_init(application)
        background = services.get_from(application).background
        assert background is not None
        assert await background.scheduler.tick() == 0  # leading; nothing due right now
        assert background.scheduler.leading
        await application.post_shutdown(application)
        assert services.get_from(application).background is None
        assert scheduled_slot(application) is not None
