"""The Telegram front end: the only package that imports python-telegram-bot.

app.py          build_application() and run_bot(): polling or webhook, post_init, handlers
handlers.py     the command, message, button and inline callbacks
keyboards.py    plain-data keyboards (bot.render) -> InlineKeyboardMarkup
services.py     the typed services kept in bot_data (config, engine, store)
subscribing.py  subscriptions and digests (owned by the digests work)
"""

import os

# Opt in to PTB's future behaviour now: RetryAfter.retry_after and other durations are
# `datetime.timedelta`. Without it PTB warns on every 429, which drowns the logs.
os.environ.setdefault("PTB_TIMEDELTA", "1")
