"""Subscription and digest commands, and the "sub:" / "unsub:" buttons.

    /subscribe <topic or words>   one clear match subscribes; several offer buttons; none
                                  says so and points to /topics
    /unsubscribe [topic]          without a topic: a button per current subscription
    /subscriptions                the chat's topics and digest time
    /digest                       the digest setting; /digest HH:MM [Area/City], now, off, on

Topics are matched with the engine's `find_topics`, so "/subscribe india russia" works as well
as the slug. Button data carries `bot.render.ref(slug)` (the slug, or a hash when too long), and a
button whose topic is gone after a /reload answers with the current list, never an error.
Changes are rows in the store and nothing else: the scheduler tick of whichever replica leads
finds each chat's digest time there (bot/tg/leader.py), so any replica can take the command.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackContext, CallbackQueryHandler, CommandHandler

from bot.config import Config
from bot.engine import Engine
from bot.render import ref, resolve_ref
from bot.schedule import EXAMPLE, DigestInputError, next_slot, parse_digest_args
from bot.subscriptions import ChatDigest, Store
from bot.tg import services
from bot.tg.digests import Outcome, deliver_digest
from bot.tg.leader import utcnow

__all__ = ["HANDLERS"]

Context = CallbackContext[Any, Any, Any, Any]

MAX_CHOICES = 8  # buttons offered when a request matches several topics
# Below this find_topics score (0..1) the best topic is offered as a choice, not subscribed.
SURE_MATCH = 0.8


# --- pure helpers ---------------------------------------------------------------------------------


def pick_topics(engine: Engine, text: str) -> list[str]:
    """The topics `text` names: one when the match is clear, several to choose from, or none."""
    wanted = text.strip().casefold()
    for brief in engine.briefs:
        if wanted in (brief.slug, brief.title.casefold()):
            return [brief.slug]
    found = engine.find_topics(text, limit=MAX_CHOICES)
    if len(found) == 1:
        return [found[0][0]]
    # A subscription lasts: a close second, or a lukewarm best, is asked about.
    if (
        len(found) >= 2
        and found[0][1] >= SURE_MATCH
        and found[0][1] - found[1][1] >= engine.options.ambiguity_margin
    ):
        return [found[0][0]]
    return [slug for slug, _ in found]


def chat_time(chat: ChatDigest, config: Config) -> tuple[str, str]:
    """The chat's digest time and zone, the config's defaults where it set none."""
    return (
        chat.time or config.digest.default_time,
        chat.timezone or config.digest.default_timezone,
    )


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _title(engine: Engine, slug: str) -> str:
    brief = engine.briefs.get(slug)
    return brief.title if brief is not None else slug


def _keyboard(engine: Engine, action: str, slugs: Sequence[str]) -> InlineKeyboardMarkup | None:
    if not slugs:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_title(engine, s)[:60], callback_data=f"{action}:{ref(s)}")]
            for s in slugs[:MAX_CHOICES]
        ]
    )


def _when(store: Store, svc: services.Services, chat_id: int, now: dt.datetime) -> str:
    """'daily at 08:00 (Europe/Berlin), next on Tue 24 Nov' or why there is none."""
    chat = store.digest_settings(chat_id)
    if chat is not None and chat.off:
        return "Digests are off: /digest on turns them back on."
    time_hhmm, zone = (
        chat_time(chat, svc.config)
        if chat is not None
        else (svc.config.digest.default_time, svc.config.digest.default_timezone)
    )
    local = next_slot(now, time_hhmm, zone).astimezone(ZoneInfo(zone))
    return (
        f"Digest: daily at {time_hhmm} ({_esc(zone)}), next on {local:%a %d %b}, "
        "with only what is new. Change it with "
        f"{_esc(EXAMPLE)}, or /digest off."
    )


# --- plumbing -------------------------------------------------------------------------------------


def _store(svc: services.Services) -> Store:
    if svc.store is None:
        raise RuntimeError("the subscription store is not open (post_init did not run)")
    return svc.store


def _seen(update: Update, store: Store) -> int:
    """Note the chat as seen (this resumes paused digests) and return its id."""
    chat = update.effective_chat
    assert chat is not None
    user = update.effective_user
    store.touch_user(
        chat.id, user_id=user.id if user else None, is_group=chat.type in ("group", "supergroup")
    )
    return chat.id


async def _reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    message = update.effective_message
    if message is not None and update.callback_query is None:
        await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        return
    chat = update.effective_chat
    assert chat is not None
    thread = message.message_thread_id if message is not None and message.is_topic_message else None
    await update.get_bot().send_message(
        chat.id, text, parse_mode=ParseMode.HTML, reply_markup=markup, message_thread_id=thread
    )


async def _subscribe_to(svc: services.Services, chat_id: int, slug: str) -> str:
    """Subscribe and return the confirmation text."""
    store = _store(svc)
    title = _esc(_title(svc.engine, slug))
    if not store.subscribe(chat_id, slug):
        return f"You already follow <b>{title}</b>.\n{_when(store, svc, chat_id, utcnow())}"
    return (
        f"Subscribed to <b>{title}</b>. Your first digest starts with its summary; "
        f"/digest now sends it at once.\n{_when(store, svc, chat_id, utcnow())}"
    )


# --- commands -------------------------------------------------------------------------------------


async def subscribe(update: Update, context: Context) -> None:
    """/subscribe <topic or words>: follow a topic in the daily digest."""
    svc = services.get(context)
    chat_id = _seen(update, _store(svc))
    text = " ".join(context.args or []).strip()
    if not text:
        followed = set(_store(svc).subscriptions(chat_id))
        choices = [s for s, _ in svc.topics() if s not in followed]
        await _reply(
            update,
            "Which topic? Send /subscribe and a topic or a few words, e.g. "
            "<code>/subscribe ukraine</code>, or choose:"
            if choices
            else "You already follow every topic I have.",
            _keyboard(svc.engine, "sub", choices),
        )
        return
    slugs = pick_topics(svc.engine, text)
    if not slugs:
        await _reply(
            update,
            f"I have no brief matching “{_esc(text)}”. See /topics for what I can follow.",
        )
    elif len(slugs) == 1:
        await _reply(update, await _subscribe_to(svc, chat_id, slugs[0]))
    else:
        await _reply(
            update,
            f"“{_esc(text)}” matches several topics. Which one?",
            _keyboard(svc.engine, "sub", slugs),
        )


async def unsubscribe(update: Update, context: Context) -> None:
    """/unsubscribe [topic]: stop following a topic (buttons when none is named)."""
    svc = services.get(context)
    store = _store(svc)
    chat_id = _seen(update, store)
    followed = store.subscriptions(chat_id)
    text = " ".join(context.args or []).strip()
    if not followed:
        await _reply(update, "You follow no topics. /subscribe &lt;topic&gt; to start.")
        return
    if not text:
        await _reply(
            update, "Stop following which topic?", _keyboard(svc.engine, "unsub", followed)
        )
        return
    slugs = [s for s in pick_topics(svc.engine, text) if s in followed]
    if text.strip().casefold() in followed:  # a topic the briefs no longer have
        slugs = [text.strip().casefold()]
    if len(slugs) == 1:
        await _reply(update, _unsubscribe_from(svc, chat_id, slugs[0]))
    else:
        await _reply(
            update,
            f"You follow no topic matching “{_esc(text)}”. Which one?",
            _keyboard(svc.engine, "unsub", slugs or followed),
        )


def _unsubscribe_from(svc: services.Services, chat_id: int, slug: str) -> str:
    store = _store(svc)
    title = _esc(_title(svc.engine, slug))
    if not store.unsubscribe(chat_id, slug):
        return f"You were not following <b>{title}</b>."
    return f"Unsubscribed from <b>{title}</b>."


async def subscriptions(update: Update, context: Context) -> None:
    """/subscriptions: the topics this chat follows and when its digest comes."""
    svc = services.get(context)
    store = _store(svc)
    chat_id = _seen(update, store)
    followed = store.subscriptions(chat_id)
    if not followed:
        await _reply(
            update,
            "You follow no topics yet. /subscribe &lt;topic or words&gt; adds one; "
            "/topics lists them.",
        )
        return
    lines = [f"• {_esc(_title(svc.engine, s))}" for s in followed]
    await _reply(
        update,
        "You follow:\n" + "\n".join(lines) + "\n\n" + _when(store, svc, chat_id, utcnow()),
        _keyboard(svc.engine, "unsub", followed),
    )


async def digest(update: Update, context: Context) -> None:
    """/digest [HH:MM [Area/City] | now | off | on]: when the daily digest comes."""
    svc = services.get(context)
    store = _store(svc)
    chat_id = _seen(update, store)
    try:
        command = parse_digest_args(context.args or [])
    except DigestInputError as exc:
        await _reply(update, _esc(str(exc)))
        return
    if command.action == "now":
        await _digest_now(update, context, svc, chat_id)
        return
    if command.action == "off":
        store.set_digest_off(chat_id)
        await _reply(update, "Digests are off; your topics are kept. /digest on to resume.")
        return
    if command.action == "on":
        store.set_digest_off(chat_id, off=False)
    elif command.action == "set":
        assert command.time is not None
        current = store.digest_settings(chat_id)
        zone = command.timezone or (
            current.timezone if current is not None and current.timezone else None
        )
        store.set_digest_time(chat_id, command.time, zone or svc.config.digest.default_timezone)
    note = (
        ""
        if store.subscriptions(chat_id)
        else "\nYou follow no topics yet: /subscribe &lt;topic&gt; to get one."
    )
    await _reply(update, _when(store, svc, chat_id, utcnow()) + note)


async def _digest_now(
    update: Update, context: Context, svc: services.Services, chat_id: int
) -> None:
    store = _store(svc)
    if not store.subscriptions(chat_id):
        await _reply(update, "You follow no topics yet. /subscribe &lt;topic&gt; first.")
        return
    outcome = await deliver_digest(
        context.bot,
        store,
        svc.engine.briefs,
        chat_id,
        max_retries=svc.config.telegram.rate_limit.max_retries,
        max_items=svc.config.digest.max_items_per_topic,
    )
    if outcome is Outcome.NOTHING_NEW:
        await _reply(update, "Nothing new in your topics since your last digest.")
    elif outcome is not Outcome.SENT:
        await _reply(update, "Sorry, the digest could not be sent just now; try again shortly.")


# --- buttons --------------------------------------------------------------------------------------


async def on_subscribe_button(update: Update, context: Context) -> None:
    """A "sub:<ref>" button: under an answer, or a choice offered by /subscribe."""
    svc = services.get(context)
    query = update.callback_query
    assert query is not None and query.data is not None
    chat_id = _seen(update, _store(svc))
    slug = resolve_ref(query.data.partition(":")[2], [s for s, _ in svc.topics()])
    if slug is None:
        await query.answer("That topic is no longer in the briefs.")
        await _reply(
            update,
            "That topic is no longer in the briefs. These are the current ones:",
            _keyboard(svc.engine, "sub", [s for s, _ in svc.topics()]),
        )
        return
    await query.answer(f"Subscribed to {_title(svc.engine, slug)}"[:200])
    await _reply(update, await _subscribe_to(svc, chat_id, slug))


async def on_unsubscribe_button(update: Update, context: Context) -> None:
    """An "unsub:<ref>" button from /unsubscribe or /subscriptions."""
    svc = services.get(context)
    query = update.callback_query
    assert query is not None and query.data is not None
    store = _store(svc)
    chat_id = _seen(update, store)
    followed = store.subscriptions(chat_id)
    slug = resolve_ref(query.data.partition(":")[2], followed)
    if slug is None:
        await query.answer("You no longer follow that topic.")
        await _reply(
            update,
            "You follow no topics." if not followed else "You follow these; tap one to stop:",
            _keyboard(svc.engine, "unsub", followed),
        )
        return
    await query.answer(f"Unsubscribed from {_title(svc.engine, slug)}"[:200])
    await _reply(update, _unsubscribe_from(svc, chat_id, slug))


HANDLERS: list[BaseHandler[Update, Any, Any]] = [
    CommandHandler("subscribe", subscribe),
    CommandHandler("unsubscribe", unsubscribe),
    CommandHandler("subscriptions", subscriptions),
    CommandHandler("digest", digest),
    CallbackQueryHandler(on_subscribe_button, pattern=r"^sub:"),
    CallbackQueryHandler(on_unsubscribe_button, pattern=r"^unsub:"),
]
