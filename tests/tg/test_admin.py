"""Admin commands, start-up and failure: /reload, /stats, post_init's menus, the error handler."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import yaml
from telegram.ext import AIORateLimiter, Application

from bot.config import Config, RateLimitConfig
from bot.engine import Engine
from bot.errors import ConfigError
from bot.subscriptions import Store
from bot.tg import services
from bot.tg.app import build_application

from .conftest import with_telegram
from .fakebotapi import (
    ADMIN_ID,
    TOKEN,
    FakeRequest,
    FakeTelegram,
    make_command_update,
    make_message,
)

App = Application[Any, Any, Any, Any, Any, Any]


def edit_yaml(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


async def test_reload_swaps_the_set_and_reports_what_changed(
    app: App, api: FakeTelegram, briefs_dir: Path
) -> None:
    old = services.get_from(app).engine

    def drop_hegseth(index: dict[str, Any]) -> None:
        index["topics"] = [t for t in index["topics"] if t["slug"] != "hegseth-ukraine-borders"]

    edit_yaml(briefs_dir / "index.yaml", drop_hegseth)
    edit_yaml(briefs_dir / "kursk-fighting.yaml", lambda b: b.update(title="Kursk"))
    await app.process_update(make_command_update("/reload", app.bot, chat_id=ADMIN_ID))
    text = api.last().params["text"]
    assert "Reloaded: 2 topics are live." in text
    assert "Removed (1): hegseth-ukraine-borders" in text
    assert "Changed (1): kursk-fighting" in text
    new = services.get_from(app).engine
    assert new is not old and new.briefs.get("kursk-fighting").title == "Kursk"  # type: ignore[union-attr]


async def test_reload_with_nothing_changed_says_so(app: App, api: FakeTelegram) -> None:
    await app.process_update(make_command_update("/reload", app.bot, chat_id=ADMIN_ID))
    assert "Nothing changed." in api.last().params["text"]


async def test_reload_with_a_broken_brief_keeps_the_old_set_and_names_file_and_field(
    app: App, api: FakeTelegram, briefs_dir: Path
) -> None:
    old = services.get_from(app).engine

    def break_source(brief: dict[str, Any]) -> None:
        brief["summary"][1]["source"] = "s9"

    edit_yaml(briefs_dir / "india-russia-ties.yaml", break_source)
    edit_yaml(briefs_dir / "kursk-fighting.yaml", lambda b: b.update(title="Kursk"))
    await app.process_update(make_command_update("/reload", app.bot, chat_id=ADMIN_ID))
    text = api.last().params["text"]
    assert "Reload failed; the current briefs stay live." in text
    assert (
        "india-russia-ties.yaml: summary[1].source: unknown source id &#x27;s9&#x27;" in text
        or ("india-russia-ties.yaml: summary[1].source: unknown source id 's9'" in text)
    )
    assert "Still serving 3 topics" in text
    assert services.get_from(app).engine is old
    # The old set still answers, unchanged.
    await app.process_update(make_command_update("/brief kursk", app.bot))
    assert api.last().params["text"].startswith("<b>The battle for Kursk</b>")


async def test_reload_and_stats_are_refused_to_non_admins(
    app: App, api: FakeTelegram, briefs_dir: Path
) -> None:
    old = services.get_from(app).engine
    edit_yaml(briefs_dir / "kursk-fighting.yaml", lambda b: b.update(title="Kursk"))
    await app.process_update(make_command_update("/reload", app.bot, chat_id=42))
    await app.process_update(make_command_update("/stats", app.bot, chat_id=42))
    assert api.texts(42) == ["Sorry, only the bot's admins can use that command."] * 2
    assert services.get_from(app).engine is old


async def test_stats_shows_admins_the_figures(app: App, api: FakeTelegram, store: Store) -> None:
    await app.process_update(make_message("Who won the football world cup?", app.bot))
    await app.process_update(make_message("how many civilians are still in kursk", app.bot))
    store.subscribe(42, "kursk-fighting")
    await app.process_update(make_command_update("/stats", app.bot, chat_id=ADMIN_ID))
    text = api.last().params["text"]
    assert "Questions answered: 1; declined: 1" in text
    assert "1 kursk-fighting" in text
    assert "1× who won the football world cup?" in text


async def test_the_error_handler_logs_the_traceback_and_apologises(
    app: App, api: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    # A refusal that is not about markup reaches the error handler.
    api.fail("sendMessage", description="Bad Request: chat not found")
    with caplog.at_level(logging.ERROR, logger="bot.tg.handlers"):
        await app.process_update(make_command_update("/topics", app.bot))
    [record] = [r for r in caplog.records if r.name == "bot.tg.handlers"]
    assert record.exc_info is not None and "Chat not found" in str(record.exc_info[1])
    assert api.texts() == ["Sorry, something went wrong on my side. Please try again in a moment."]


async def test_post_init_registers_the_command_menus(
    config: Config, engine: Engine, api: FakeTelegram
) -> None:
    application = build_application(
        config, engine=engine, request=FakeRequest(api), get_updates_request=FakeRequest(api)
    )
    async with application:
        assert application.post_init is not None
        await application.post_init(application)
        s = services.get_from(application)
        assert s.store is not None and s.store.path == config.storage.path
        commands = api.requests("setMyCommands")
        assert [c.params.get("scope") for c in commands][:2] == [
            {"type": "default"},
            {"type": "chat", "chat_id": ADMIN_ID},
        ]
        user_menu = [c["command"] for c in commands[0].params["commands"]]
        admin_menu = [c["command"] for c in commands[1].params["commands"]]
        assert "brief" in user_menu and "reload" not in user_menu
        assert admin_menu == [*user_menu, "reload", "stats"]
        assert application.post_shutdown is not None
        await application.post_shutdown(application)
        assert s.store is None  # the store post_init opened is closed again


async def test_an_admin_who_never_wrote_to_the_bot_does_not_stop_start_up(
    config: Config, engine: Engine, api: FakeTelegram, store: Store
) -> None:
    application = build_application(
        config,
        engine=engine,
        store=store,
        request=FakeRequest(api),
        get_updates_request=FakeRequest(api),
    )
    async with application:
        api.fail(
            "setMyCommands",
            description="Bad Request: chat not found",
            when=lambda params: params.get("scope", {}).get("type") == "chat",
        )
        assert application.post_init is not None and application.post_shutdown is not None
        await application.post_init(application)
        await application.post_shutdown(application)
    default, admin = api.requests("setMyCommands", ok=None)
    assert default.ok and not admin.ok


def test_rate_limiter_and_base_urls_come_from_the_config(config: Config, engine: Engine) -> None:
    limited = with_telegram(
        config,
        base_url="http://127.0.0.1:8081/bot",
        base_file_url="http://127.0.0.1:8081/file/bot",
        rate_limit=RateLimitConfig(enabled=True, max_retries=5),
    )
    application = build_application(limited, engine=engine)
    assert isinstance(application.bot.rate_limiter, AIORateLimiter)
    assert application.bot.base_url == f"http://127.0.0.1:8081/bot{TOKEN}"
    assert application.bot.base_file_url == f"http://127.0.0.1:8081/file/bot{TOKEN}"
    assert build_application(config, engine=engine).bot.rate_limiter is None


def test_a_missing_token_is_a_clear_error(config: Config, engine: Engine) -> None:
    import dataclasses

    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN is not set"):
        build_application(dataclasses.replace(config, token=None), engine=engine)


def test_every_command_in_help_and_the_menu_has_a_handler_and_back() -> None:
    from telegram.ext import CommandHandler

    from bot.render import COMMANDS
    from bot.tg.app import handler_list

    handled = {c for h in handler_list() if isinstance(h, CommandHandler) for c in h.commands}
    assert handled == {c.name for c in COMMANDS}
