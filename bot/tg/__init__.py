"""The Telegram front end: the only package that imports python-telegram-bot.

app.py          build_application() and run_bot(): polling or webhook, post_init, handlers
handlers.py     the command, message, button, inline and error callbacks
sending.py      send a rendered Reply: HTML, or plain text when Telegram refuses the markup
keyboards.py    plain-data keyboards (bot.render) -> InlineKeyboardMarkup
services.py     the typed services kept in bot_data (config, engine, store)
subscribing.py  /subscribe, /unsubscribe, /subscriptions, /digest and their buttons
digests.py      the daily digest jobs and their fan-out
"""

import os

# Opt in to PTB's future behaviour now: RetryAfter.retry_after and other durations are
# `datetime.timedelta`. Without it PTB warns on every 429, which drowns the logs.
os.environ.setdefault("PTB_TIMEDELTA", "1")
