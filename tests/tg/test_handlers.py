"""The bot's commands, questions and buttons, driven through the real Application.

Each test pushes a real `Update` through `process_update` and reads what the fake Bot API
recorded: the method, the chat, the HTML text and the buttons.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from telegram.ext import Application

from bot.render import COMMANDS, MAX_CALLBACK_DATA
from bot.subscriptions import Store

from .fakebotapi import (
    ADMIN_ID,
    FakeTelegram,
    make_callback_query,
    make_command_update,
    make_message,
)

App = Application[Any, Any, Any, Any, Any, Any]


def buttons(api: FakeTelegram, call_index: int = -1) -> list[tuple[str, str]]:
    """(label, callback_data) of the keyboard of an accepted sendMessage."""
    markup = api.sent()[call_index].params.get("reply_markup") or {}
    return [
        (b["text"], b.get("callback_data") or b.get("url", ""))
        for row in markup.get("inline_keyboard", [])
        for b in row
    ]


async def test_start_welcomes_with_topic_buttons_and_records_the_user(
    app: App, api: FakeTelegram, store: Store
) -> None:
    await app.process_update(make_command_update("/start", app.bot, chat_id=42))
    [call] = api.sent(42)
    assert call.params["parse_mode"] == "HTML"
    assert "Hello Ada!" in call.params["text"]
    assert buttons(api) == [
        ("The battle for Kursk", "t:kursk-fighting"),
        ("Hegseth on Ukraine's borders", "t:hegseth-ukraine-borders"),
        ("India and Russia ties", "t:india-russia-ties"),
    ]
    assert store.stats().users == 1


async def test_start_with_a_deep_link_opens_that_topic(app: App, api: FakeTelegram) -> None:
    await app.process_update(make_command_update("/start india-russia-ties", app.bot))
    text = api.last().params["text"]
    assert text.startswith("<b>India and Russia ties</b>\nRussian President Vladimir Putin")
    assert "Al Jazeera" in text and "seeds/001_779b2a8a156a4e38.txt:206" in text
    assert [label for label, _ in buttons(api)] == ["Full brief", "Sources", "Subscribe"]


async def test_help_lists_every_command_and_admin_commands_only_to_admins(
    app: App, api: FakeTelegram
) -> None:
    await app.process_update(make_command_update("/help", app.bot, chat_id=42))
    await app.process_update(make_command_update("/help", app.bot, chat_id=ADMIN_ID))
    user_help, admin_help = api.texts(42)[0], api.texts(ADMIN_ID)[0]
    for command in COMMANDS:
        assert (f"/{command.name}" in user_help) is not command.admin
        assert f"/{command.name}" in admin_help


async def test_a_question_gets_a_cited_answer_with_three_buttons(
    app: App, api: FakeTelegram, store: Store
) -> None:
    await app.process_update(make_message("How many civilians are still in Kursk?", app.bot))
    text = api.last().params["text"]
    assert text.startswith("<b>The battle for Kursk</b>\n")
    assert "an estimated 2,000 to 3,000 Russian civilians, who were trapped" in text
    # The citation: number, outlet, headline, date, file:line.
    assert "<i>[1] The New York Times, “" in text
    assert "seeds/000_d182a795cbf2b895.txt:21</i>" in text
    # Citations of one article share a line.
    await app.process_update(make_message("How many people died in Sudzha?", app.bot))
    assert "<i>[1, 2] The New York Times, “" in api.last().params["text"]
    assert "seeds/000_d182a795cbf2b895.txt:46,47</i>" in api.last().params["text"]
    assert buttons(api) == [
        ("Full brief", "b:kursk-fighting"),
        ("Sources", "s:kursk-fighting"),
        ("Subscribe", "sub:kursk-fighting"),
    ]
    assert store.stats().answered == 2


async def test_a_question_without_a_brief_is_declined_and_counted(
    app: App, api: FakeTelegram, store: Store
) -> None:
    await app.process_update(make_message("Who won the football world cup?", app.bot))
    assert api.last().params["text"].startswith("I have no brief on that.")
    assert ("All topics", "p:0") in buttons(api)
    figures = store.stats()
    assert (figures.answered, figures.declined) == (0, 1)
    assert figures.top_declined == (("who won the football world cup?", 1),)


async def test_unreadable_input_gets_a_clear_message_and_is_not_counted(
    app: App, api: FakeTelegram, store: Store
) -> None:
    await app.process_update(make_message("?!? ...", app.bot))
    assert "type it as text" in api.last().params["text"]
    assert store.stats().declined == 0


async def test_topics_lists_every_topic(app: App, api: FakeTelegram) -> None:
    await app.process_update(make_command_update("/topics", app.bot))
    assert "I have briefs on 3 topics" in api.last().params["text"]
    assert [data for _, data in buttons(api)] == [
        "t:kursk-fighting",
        "t:hegseth-ukraine-borders",
        "t:india-russia-ties",
    ]


async def test_brief_sends_the_whole_brief_by_free_words(app: App, api: FakeTelegram) -> None:
    await app.process_update(make_command_update("/brief india russia", app.bot))
    text = api.last().params["text"]
    assert text.startswith("<b>India and Russia ties</b>")
    for heading in ("<b>Key facts</b>", "<b>Quotes</b>", "<b>Sources</b>"):
        assert heading in text
    assert "The deal, worth more than $5bn, was signed in 2018" in text
    assert buttons(api) == [("Subscribe", "sub:india-russia-ties")]


async def test_brief_without_words_asks_which_topic(app: App, api: FakeTelegram) -> None:
    await app.process_update(make_command_update("/brief", app.bot))
    assert api.last().params["text"].startswith("Which topic?")
    assert len(buttons(api)) == 3


async def test_brief_on_an_unknown_topic_declines(app: App, api: FakeTelegram) -> None:
    await app.process_update(make_command_update("/brief volcanic eruptions", app.bot))
    assert api.last().params["text"].startswith("I have no brief on that.")


async def test_full_brief_sources_and_topic_buttons(app: App, api: FakeTelegram) -> None:
    for data in ("b:kursk-fighting", "s:kursk-fighting", "t:kursk-fighting"):
        await app.process_update(make_callback_query(data, app.bot))
    assert len(api.requests("answerCallbackQuery")) == 3
    full, sources, overview = api.texts()
    assert full.startswith("<b>The battle for Kursk</b>") and "<b>Key facts</b>" in full
    assert sources.startswith("<b>Sources of “The battle for Kursk”</b>")
    assert "seeds/" in sources
    assert overview.startswith("<b>The battle for Kursk</b>\nRussian soldiers are locked")


async def test_stale_or_unknown_button_data_gets_the_current_topic_list(
    app: App, api: FakeTelegram
) -> None:
    # (Telegram never sends empty data: buttons need 1-64 bytes.)
    for data in ("t:topic-removed-by-a-reload", "b:gone", "nonsense", "p:x", "x" * 64):
        await app.process_update(make_callback_query(data, app.bot))
    answers = api.requests("answerCallbackQuery")
    assert len(answers) == 5
    assert all("out of date" in a.params["text"] for a in answers)
    assert len(api.sent()) == 5
    assert all(t.startswith("I have briefs on 3 topics") for t in api.texts())


async def test_every_button_the_bot_sends_fits_in_64_bytes(app: App, api: FakeTelegram) -> None:
    await app.process_update(make_command_update("/start", app.bot))
    await app.process_update(make_message("civilians in kursk", app.bot))
    await app.process_update(make_message("tell me about the weather", app.bot))
    datas = [data for i in range(len(api.sent())) for _, data in buttons(api, i)]
    assert datas and all(0 < len(d.encode()) <= MAX_CALLBACK_DATA for d in datas)


async def test_unknown_command_in_private_points_to_help(app: App, api: FakeTelegram) -> None:
    await app.process_update(make_command_update("/weather", app.bot))
    assert "/help" in api.last().params["text"]


async def test_a_long_brief_arrives_in_numbered_parts_telegram_accepts(
    app: App, api: FakeTelegram
) -> None:
    from bot.engine import Engine
    from bot.tg import services

    from .test_render import long_brief

    s = services.get_from(app)
    brief = long_brief()  # real seed sentences; an outlet name with '<' and '&'
    s.engine = Engine(
        dataclasses.replace(s.engine.briefs, briefs={brief.slug: brief}), s.engine.options
    )
    await app.process_update(make_command_update("/brief long topic", app.bot))
    parts = api.sent()
    assert len(parts) > 2
    assert api.requests(ok=False) == []  # every part valid HTML of at most 4096 characters
    for i, part in enumerate(parts, 1):
        assert part.params["text"].startswith(f"<b>({i}/{len(parts)})</b> ")
    # The Subscribe button comes once, under the last part.
    assert [("reply_markup" in p.params) for p in parts] == [False] * (len(parts) - 1) + [True]
