"""The Telegram application: settings -> a configured PTB `Application`, and running it.

    build_application(config, engine=..., store=...)  every handler in one ordered list
    run_bot(config)                                     long polling, or a webhook server

Services (config, engine, store, replica name) live in `bot_data` (bot.tg.services). The first
handler, in group -1, drops a repeated update (bot.tg.dedupe). `post_init` registers the command
menu (admins get /reload and /stats in their own chats), opens the store when none was given
and starts the digest scheduler, the delivery worker and the briefs listener
(bot.tg.background); `post_stop` stops them.

Any number of processes may run this against one PostgreSQL store (webhook mode behind a
proxy): updates are claimed by id, one replica schedules, every replica delivers, and when the
store is shared the rate limiter paces the bot as a whole (bot.tg.ratelimit.SharedRateLimiter).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.config import TOKEN_ENV, Config
from bot.engine import Engine
from bot.errors import ConfigError
from bot.render import COMMANDS
from bot.subscriptions import Store
from bot.tg import background, dedupe, handlers, services, subscribing
from bot.tg.ratelimit import SharedRateLimiter, paced_rate_limiter
from bot.tg.services import Services, replica_name

log = logging.getLogger(__name__)

# Updates handled at once. Replies are independent of each other, so a slow send to one chat
# need not hold up the others; the rate limiter still paces what goes out.
CONCURRENT_UPDATES = 16
CONNECTION_POOL_SIZE = 8
POOL_TIMEOUT = 10.0  # seconds a send may wait for a free connection

# Loggers whose records can contain the token, and the lowest level they may log at.
TOKEN_LOGGERS = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "telegram.Bot": logging.INFO,
    "telegram.ext.ExtBot": logging.INFO,
}

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def handler_list() -> list[BaseHandler[Any, Any, Any]]:
    """Every handler, in the order PTB tries them (first match wins within the group)."""
    return [
        CommandHandler("start", handlers.start),
        CommandHandler("help", handlers.help_command),
        CommandHandler("topics", handlers.topics),
        CommandHandler("brief", handlers.brief),
        CommandHandler("reload", handlers.reload_briefs),
        CommandHandler("stats", handlers.stats),
        # /subscribe, /unsubscribe, /subscriptions, /digest and the sub:/unsub: buttons.
        *subscribing.HANDLERS,
        CallbackQueryHandler(handlers.button),
        InlineQueryHandler(handlers.inline_query),
        MessageHandler(
            filters.TEXT & ~filters.COMMAND & handlers.ADDRESSED_TO_BOT & ~filters.VIA_BOT,
            handlers.ask,
        ),
        MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, handlers.unknown_command),
    ]


def build_application(
    config: Config,
    *,
    engine: Engine,
    store: Store | None = None,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    concurrent_updates: int = CONCURRENT_UPDATES,
    connection_pool_size: int = CONNECTION_POOL_SIZE,
    replica: str | None = None,
) -> AnyApplication:
    """A ready Application; `request` replaces the network (tests, benchmarks).

    `store` None: post_init opens the configured one (then the rate limiter is this process's
    alone; run_bot opens the store first so a shared one paces all replicas together).
    """
    if config.token is None:
        raise ConfigError(
            f"{TOKEN_ENV} is not set; create a bot with @BotFather and export its token"
        )
    telegram = config.telegram
    builder = ApplicationBuilder().token(config.token.reveal())
    if telegram.base_url:
        builder = builder.base_url(telegram.base_url)
    if telegram.base_file_url:
        builder = builder.base_file_url(telegram.base_file_url)
    if request is None:
        # Few connections, each kept busy: httpcore scans its whole pool for every request,
        # so a large pool costs more CPU than it saves; waiting for a free one is cheap.
        builder = builder.connection_pool_size(connection_pool_size).pool_timeout(POOL_TIMEOUT)
    else:
        builder = builder.request(request)
    if get_updates_request is not None or request is not None:
        builder = builder.get_updates_request(get_updates_request or request)  # type: ignore[arg-type]
    limit = telegram.rate_limit
    if limit.enabled:
        # Paced, not bursting: AIORateLimiter's default bucket lets a fan-out send twice the
        # limit in its first second (bench/telegram_fanout.py measured 60 at a 30/s limit).
        if store is not None and store.shared:
            builder = builder.rate_limiter(SharedRateLimiter(limit, store))  # type: ignore[arg-type]
        else:
            builder = builder.rate_limiter(paced_rate_limiter(limit))  # type: ignore[arg-type]
    application = (
        builder.concurrent_updates(concurrent_updates)
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    services.install(
        application,
        Services(config=config, engine=engine, store=store, replica=replica or replica_name()),
    )
    application.add_handler(dedupe.handler(), group=dedupe.GROUP)
    application.add_handlers(handler_list())
    application.add_error_handler(handlers.on_error)
    return application


def menu(*, admin: bool) -> list[BotCommand]:
    return [BotCommand(c.name, c.description) for c in COMMANDS if admin or not c.admin]


async def post_init(application: AnyApplication) -> None:
    """Open the store, register the command menus, start the digest and reload machinery."""
    s: Services = application.bot_data[services.KEY]
    if s.store is None:
        s.store = Store.open(s.config.storage.url, name=s.replica)
        s.owns_store = True
    bot = application.bot
    await bot.set_my_commands(menu(admin=False), scope=BotCommandScopeDefault())
    for admin in s.config.admins:
        try:
            await bot.set_my_commands(menu(admin=True), scope=BotCommandScopeChat(admin))
        except TelegramError as exc:
            # Telegram knows a private chat only after the admin has written to the bot.
            log.warning(
                "No admin command menu for user %s (%s); they should send /start first", admin, exc
            )
    if s.background is None:
        s.background = await background.start(application)


async def post_stop(application: AnyApplication) -> None:
    """Stop scheduling and claiming; the deliveries in flight finish first."""
    s: Services = application.bot_data[services.KEY]
    if s.background is not None:
        await s.background.stop()
        s.background = None


async def post_shutdown(application: AnyApplication) -> None:
    await post_stop(application)
    s: Services = application.bot_data[services.KEY]
    if s.owns_store and s.store is not None:
        s.store.close()
        s.store = None


class _OneLineStartupFailure(logging.Filter):
    """PTB logs a failed start (Telegram unreachable, token refused) with its traceback and
    then raises the error, which run_bot turns into one line for the person at the terminal:
    the record keeps its message and drops the traceback, so the line is not buried."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().endswith(("Aborting.", "Aborting retry loop.")):
            record.exc_info = record.exc_text = None
        return True


_STARTUP_FAILURE = _OneLineStartupFailure()


def run_bot(config: Config) -> None:
    """Serve until interrupted: long polling, or a webhook server when telegram.mode is webhook."""
    quiet_http_loggers()
    # PTB's retry loop (telegram.ext._utils.networkloop) logs on the "telegram.ext" logger.
    logging.getLogger("telegram.ext").addFilter(_STARTUP_FAILURE)
    engine = Engine.load(config)
    replica = replica_name()
    # Opened before the Application is built: a shared store changes the rate limiter.
    store = Store.open(config.storage.url, name=replica)
    try:
        application = build_application(config, engine=engine, store=store, replica=replica)
        telegram = config.telegram
        log.info(
            "Serving %d topics by %s as replica %s (%s store)",
            len(engine.briefs),
            telegram.mode,
            replica,
            store.backend,
        )
        try:
            if telegram.mode == "webhook":
                application.run_webhook(**webhook_options(config))
            else:
                application.run_polling(allowed_updates=Update.ALL_TYPES)
        except InvalidToken:
            raise ConfigError(
                f"Telegram refused {TOKEN_ENV}; copy the token again from @BotFather"
            ) from None
        except NetworkError as exc:
            # Raised while starting (getMe, setWebhook): once running, PTB retries by itself.
            where = telegram.base_url or "https://api.telegram.org"
            raise ConfigError(
                f"cannot reach the Telegram Bot API at {where} ({exc}); check the network, "
                "or telegram.base_url in config.yaml"
            ) from None
    finally:
        store.close()


def quiet_http_loggers() -> None:
    """Keep the token out of the logs, whatever set up logging.

    Bot API URLs carry the token: httpx and httpcore log them at INFO, python-telegram-bot's
    bot loggers at DEBUG ("Set Bot API URL: ..."). Call before the Application is built.
    """
    for name, floor in TOKEN_LOGGERS.items():
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.getEffectiveLevel(), floor))


def webhook_options(config: Config) -> dict[str, Any]:
    """Arguments of run_webhook/start_webhook from telegram.webhook and the secret."""
    hook = config.telegram.webhook
    return {
        "listen": hook.listen,
        "port": hook.port,
        "url_path": hook.url_path,
        "webhook_url": hook.url,
        "secret_token": config.webhook_secret.reveal() if config.webhook_secret else None,
        "allowed_updates": Update.ALL_TYPES,
    }
