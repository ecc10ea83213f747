"""Where the bot listens and answers: groups, forum threads, inline mode, markup fallback."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from .fakebotapi import (
    BOT_ID,
    BOT_USERNAME,
    FakeTelegram,
    make_callback_query,
    make_command_update,
    make_inline_query,
    make_message,
    message_data,
    parse_html,
    to_update,
)

App = Application[Any, Any, Any, Any, Any, Any]
GROUP = -1001234


async def test_in_a_group_the_bot_ignores_chatter(app: App, api: FakeTelegram) -> None:
    await app.process_update(make_message("civilians in kursk", app.bot, chat_id=GROUP))
    assert api.calls == []


async def test_in_a_group_the_bot_answers_a_mention(app: App, api: FakeTelegram) -> None:
    text = f"@{BOT_USERNAME} how many civilians are still in Kursk?"
    await app.process_update(make_message(text, app.bot, chat_id=GROUP))
    [call] = api.sent(GROUP)
    assert "3,000 Russian civilians, who were trapped" in call.params["text"]


async def test_in_a_group_the_bot_answers_a_reply_to_itself(app: App, api: FakeTelegram) -> None:
    await app.process_update(
        make_message("and the S-400 deal with India?", app.bot, chat_id=GROUP, reply_to_bot=True)
    )
    assert "S-400" in api.last().params["text"]


async def test_in_a_group_commands_addressed_to_the_bot_work(app: App, api: FakeTelegram) -> None:
    await app.process_update(make_command_update(f"/topics@{BOT_USERNAME}", app.bot, chat_id=GROUP))
    await app.process_update(make_command_update("/topics@some_other_bot", app.bot, chat_id=GROUP))
    await app.process_update(make_command_update("/weather", app.bot, chat_id=GROUP))
    assert len(api.sent(GROUP)) == 1  # another bot's command and unknown ones are not ours


async def test_replies_stay_in_the_forum_thread(app: App, api: FakeTelegram) -> None:
    await app.process_update(
        make_message(f"@{BOT_USERNAME} india russia", app.bot, chat_id=GROUP, thread_id=77)
    )
    await app.process_update(
        make_command_update("/brief kursk", app.bot, chat_id=GROUP, thread_id=77)
    )
    await app.process_update(
        make_callback_query("s:kursk-fighting", app.bot, chat_id=GROUP, thread_id=77)
    )
    assert [c.params.get("message_thread_id") for c in api.sent(GROUP)] == [77, 77, 77]


async def test_inline_mode_offers_the_cited_answer(app: App, api: FakeTelegram) -> None:
    await app.process_update(make_inline_query("how many civilians remain in kursk", app.bot))
    [result] = api.last("answerInlineQuery").params["results"]
    assert result["type"] == "article"
    assert result["title"] == "The battle for Kursk"
    content = result["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert "Russian civilians remain. [1]" in parse_html(content["message_text"])
    [[button]] = result["reply_markup"]["inline_keyboard"]
    assert button["url"] == f"https://t.me/{BOT_USERNAME}?start=kursk-fighting"


async def test_inline_mode_with_no_brief_offers_nothing(app: App, api: FakeTelegram) -> None:
    await app.process_update(make_inline_query("football world cup winners", app.bot))
    assert api.last("answerInlineQuery").params["results"] == []


async def test_inline_mode_without_words_offers_topic_overviews(
    app: App, api: FakeTelegram
) -> None:
    await app.process_update(make_inline_query("", app.bot))
    titles = [r["title"] for r in api.last("answerInlineQuery").params["results"]]
    assert titles == [
        "The battle for Kursk",
        "Hegseth on Ukraine's borders",
        "India and Russia ties",
    ]


async def test_markup_telegram_refuses_is_resent_as_plain_text(app: App, api: FakeTelegram) -> None:
    api.fail(
        "sendMessage",
        description='Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 3',
    )
    await app.process_update(make_message("civilians in kursk", app.bot))
    refused, resent = api.requests("sendMessage", ok=None)
    assert not refused.ok and refused.params["parse_mode"] == "HTML"
    assert resent.ok and "parse_mode" not in resent.params
    assert resent.params["text"] == parse_html(refused.params["text"])
    assert resent.params["reply_markup"] == refused.params["reply_markup"]


async def test_page_buttons_turn_the_topic_list_in_place(
    app: App, api: FakeTelegram, many_topics: None
) -> None:
    await app.process_update(make_command_update("/topics", app.bot))
    listed = api.last()
    message_id = api.messages[(42, max(k[1] for k in api.messages))]["message_id"]
    assert "Page 1 of 3" in listed.params["text"]
    await app.process_update(
        make_callback_query("p:1", app.bot, message_id=message_id, message_text="topics")
    )
    edit = api.last("editMessageText")
    assert edit.params["message_id"] == message_id
    assert "Page 2 of 3" in edit.params["text"]
    rows = edit.params["reply_markup"]["inline_keyboard"]
    assert [b["callback_data"] for b in rows[-1]] == ["p:0", "p:2"]
    # Pressing the page already shown changes nothing and is not an error.
    await app.process_update(
        make_callback_query("p:1", app.bot, message_id=message_id, message_text="topics")
    )
    assert api.methods()[-1] == "editMessageText!"
    assert len(api.sent()) == 1


async def test_a_page_button_under_a_message_that_cannot_be_edited_sends_the_page_anew(
    app: App, api: FakeTelegram, many_topics: None
) -> None:
    # The fake never saw message 555 (deleted, or sent before a restart of Telegram's side).
    await app.process_update(make_callback_query("p:2", app.bot, message_id=555))
    assert api.methods() == ["answerCallbackQuery", "editMessageText!", "sendMessage"]
    assert "Page 3 of 3" in api.last().params["text"]


async def test_an_answer_shared_through_inline_mode_is_not_answered_again(
    app: App, api: FakeTelegram
) -> None:
    data = message_data("The battle for Kursk\nRussian soldiers are locked in a fierce battle")
    data["message"]["via_bot"] = {"id": BOT_ID, "is_bot": True, "first_name": "Briefbot"}
    await app.process_update(to_update(data, app.bot))
    assert api.calls == []
