"""The Telegram front end: the only package that imports python-telegram-bot.

app.py          build_application() and run_bot(): polling or webhook, post_init, handlers
handlers.py     the command, message, button, inline and error callbacks
sending.py      send a rendered Reply: HTML, or plain text when Telegram refuses the markup
keyboards.py    plain-data keyboards (bot.render) -> InlineKeyboardMarkup
services.py     the typed services kept in bot_data (config, engine, store, replica name)
subscribing.py  /subscribe, /unsubscribe, /subscriptions, /digest and their buttons
dedupe.py       a repeated update (same update_id, on any replica) is dropped before handling
leader.py       the digest scheduler tick: the leading replica queues the digests due
digests.py      the delivery worker every replica runs: claim with a lease, send, finish
ratelimit.py    the paced limiter, and the bot-wide one when replicas share a store
reloads.py      /reload on one replica reaches the others (the published briefs version)
background.py   starts and stops the scheduler, the worker and the briefs listener
"""

import os

# Opt in to PTB's future behaviour now: RetryAfter.retry_after and other durations are
# `datetime.timedelta`. Without it PTB warns on every 429, which drowns the logs.
os.environ.setdefault("PTB_TIMEDELTA", "1")
