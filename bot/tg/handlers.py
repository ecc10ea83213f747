"""The bot's callbacks: read the update, call the engine or the renderer, send once.

Registered in order by bot.tg.app.handlers(). Nothing here decides what a reply says: the
engine picks the sentences and bot.render lays them out.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes, filters

from bot.answer import Answer
from bot.engine import Engine
from bot.errors import BriefbotError, StoreError
from bot.render import (
    compare_briefs,
    parse_callback,
    render_answer,
    render_brief,
    render_help,
    render_reload,
    render_reload_failed,
    render_sources,
    render_stats,
    render_text,
    render_topics,
    render_welcome,
    resolve_ref,
)
from bot.tg import services
from bot.tg.keyboards import to_markup
from bot.tg.sending import NO_PREVIEW, reply_to

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."
ADMINS_ONLY = "Sorry, only the bot's admins can use that command."
STALE_BUTTON = "That button is out of date; here are the current topics."
INLINE_RESULTS = 10
DEEP_LINK_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


# --- who the bot listens to -------------------------------------------------------------------


class AddressedToBot(filters.MessageFilter):
    """Every message in a private chat; in groups only mentions of the bot and replies to it."""

    def filter(self, message: Message) -> bool:
        if message.chat.type == ChatType.PRIVATE:
            return True
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
            return True
        mention = f"@{bot.username}".lower()
        found = message.parse_entities([MessageEntity.MENTION]).values()
        return any(text.lower() == mention for text in found)


ADDRESSED_TO_BOT = AddressedToBot(name="AddressedToBot")


def question_text(message: Message) -> str:
    """The message text without the bot's @mention."""
    text = message.text or ""
    username = message.get_bot().username
    return re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE).strip()


# --- commands ---------------------------------------------------------------------------------


async def start(update: Update, context: Context) -> None:
    """Welcome the user with the topic list, or open the topic a deep link names."""
    s = services.get(context)
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return
    if s.store is not None:
        s.store.touch_user(
            chat.id, user_id=user.id if user else None, is_group=chat.type != ChatType.PRIVATE
        )
    if context.args:
        slug = find_topic(s.engine, " ".join(context.args).replace("_", "-"))
        if slug is not None:
            await reply_to(update, context.bot, render_answer(s.engine.overview(slug)))
            return
    name = user.first_name if user else None
    await reply_to(update, context.bot, render_welcome(name, s.topics()))


async def help_command(update: Update, context: Context) -> None:
    """Explain how to ask and list the commands (admin commands for admins only)."""
    s = services.get(context)
    user = update.effective_user
    example = next((q for b in s.engine.briefs for q in b.questions), None)
    reply = render_help(admin=s.is_admin(user.id if user else None), example=example)
    await reply_to(update, context.bot, reply)


async def topics(update: Update, context: Context) -> None:
    """List every topic as buttons, a page at a time."""
    await reply_to(update, context.bot, render_topics(services.get(context).topics()))


async def brief(update: Update, context: Context) -> None:
    """Send the whole brief on the topic the arguments name."""
    s = services.get(context)
    words = " ".join(context.args or ()).strip()
    if not words:
        intro = "Which topic? Pick one, or send /brief followed by a few words, e.g. /brief kursk."
        await reply_to(update, context.bot, render_topics(s.topics(), intro=intro))
        return
    slug = find_topic(s.engine, words)
    if slug is None:
        # The engine's decline names the nearest topics as buttons.
        await reply_to(update, context.bot, render_answer(s.engine.overview(words)))
        return
    await reply_to(update, context.bot, render_brief(s.engine.briefs.briefs[slug]))


async def reload_briefs(update: Update, context: Context) -> None:
    """Admins: re-read briefs/, swap the whole set, report what changed (or keep the old set);
    a new set's version is published so every replica reloads."""
    s = services.get(context)
    user = update.effective_user
    if not s.is_admin(user.id if user else None):
        await reply_to(update, context.bot, render_text(ADMINS_ONLY))
        return
    old = s.engine
    try:
        # Loading validates every file before anything is swapped.
        new = await asyncio.to_thread(Engine.load, s.config)
    except BriefbotError as exc:
        log.warning("Reload refused: %s", exc)
        await reply_to(update, context.bot, render_reload_failed(str(exc), len(old.briefs)))
        return
    s.engine = new
    log.info("Reloaded briefs: %d topics, version %s", len(new.briefs), new.briefs.version)
    if s.store is not None:
        # The other replicas hear of it and reload from their own disk (bot.tg.reloads).
        try:
            await asyncio.to_thread(s.store.publish_briefs, new.briefs.version)
        except StoreError as exc:
            log.warning("Reloaded here, but other replicas were not told: %s", exc)
    changes = compare_briefs(old.briefs, new.briefs)
    await reply_to(update, context.bot, render_reload(changes, len(new.briefs)))


async def stats(update: Update, context: Context) -> None:
    """Admins: users, subscriptions per topic, questions answered and declined."""
    s = services.get(context)
    user = update.effective_user
    if not s.is_admin(user.id if user else None):
        await reply_to(update, context.bot, render_text(ADMINS_ONLY))
        return
    if s.store is None:
        await reply_to(update, context.bot, render_text("No store is open, so no figures."))
        return
    figures = await asyncio.to_thread(s.store.stats)
    await reply_to(update, context.bot, render_stats(figures))


async def unknown_command(update: Update, context: Context) -> None:
    """A command this bot does not have: point to /help."""
    text = "I do not know that command. /help lists what I can do; or just ask a question."
    await reply_to(update, context.bot, render_text(text))


# --- questions --------------------------------------------------------------------------------


async def ask(update: Update, context: Context) -> None:
    """Answer a question with cited sentences from the best brief, or say there is none."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    s = services.get(context)
    question = question_text(message)
    answer = s.engine.ask(question)
    if s.store is not None and answer.kind != "invalid":
        s.store.record_question(chat.id, question, answered=answer.answered, topic=answer.topic)
    await reply_to(update, context.bot, render_answer(answer))


# --- buttons ----------------------------------------------------------------------------------


async def button(update: Update, context: Context) -> None:
    """Topic, Full brief, Sources and page buttons; stale data gets the current topic list."""
    query = update.callback_query
    if query is None:
        return
    s = services.get(context)
    parsed = parse_callback(query.data)
    slug = None
    if parsed is not None and parsed[0] in ("t", "b", "s", "sub", "unsub"):
        slug = resolve_ref(parsed[1], s.engine.briefs.briefs)
    if parsed is None or (parsed[0] != "p" and slug is None):
        await query.answer(STALE_BUTTON)
        if update.effective_chat is not None:
            await reply_to(update, context.bot, render_topics(s.topics()))
        return
    action, arg = parsed
    if update.effective_chat is None:
        # A button under an inline message: there is no chat to send to, so open the bot.
        target = slug if slug is not None and DEEP_LINK_PAYLOAD.match(slug) else ""
        await query.answer(url=f"https://t.me/{context.bot.username}?start={target}")
        return
    if action == "p":
        await query.answer()
        try:
            await show_page(query.edit_message_text, s.topics(), int(arg))
        except BadRequest as exc:
            # Too old or deleted to edit: send the page as a new message instead.
            log.info("Could not turn the topic list in place (%s); sending it anew", exc)
            await reply_to(update, context.bot, render_topics(s.topics(), page=int(arg)))
        return
    assert slug is not None
    if action in ("sub", "unsub"):
        # Reached only when the subscription handlers are not installed.
        await query.answer("Subscriptions are not available on this bot.", show_alert=True)
        return
    await query.answer()
    if action == "t":
        await reply_to(update, context.bot, render_answer(s.engine.overview(slug)))
    elif action == "b":
        await reply_to(update, context.bot, render_brief(s.engine.briefs.briefs[slug]))
    else:
        await reply_to(update, context.bot, render_sources(s.engine.briefs.briefs[slug]))


async def show_page(edit: Any, topic_list: list[tuple[str, str]], page: int) -> None:
    """Turn the topic list message to another page in place."""
    reply = render_topics(topic_list, page=page)
    chunk = reply.chunks[0]
    try:
        await edit(
            text=chunk.html,
            parse_mode=ParseMode.HTML,
            reply_markup=to_markup(reply.keyboard),
            link_preview_options=NO_PREVIEW,
        )
    except BadRequest as exc:
        # Pressing the button of the page already shown: nothing to change.
        if "not modified" not in str(exc).lower():
            raise


# --- inline mode ------------------------------------------------------------------------------


async def inline_query(update: Update, context: Context) -> None:
    """`@bot <question>` offers the cited answer; an empty query offers topic overviews."""
    query = update.inline_query
    if query is None:
        return
    s = services.get(context)
    text = query.query.strip()
    if text:
        answers = [s.engine.ask(text)]
    else:
        answers = [s.engine.overview(slug) for slug, _ in s.topics()[:INLINE_RESULTS]]
    username = context.bot.username
    results = [inline_result(a, username) for a in answers if a.answered]
    await query.answer(results, cache_time=30, is_personal=False)


def inline_result(answer: Answer, username: str) -> InlineQueryResultArticle:
    """One answer as an article; its button opens the full brief in a chat with the bot."""
    chunk = render_answer(answer).chunks[0]
    key = f"{answer.kind}\n{answer.topic}\n{answer.text}".encode()
    markup = None
    if answer.topic is not None and DEEP_LINK_PAYLOAD.match(answer.topic):
        url = f"https://t.me/{username}?start={answer.topic}"
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Full brief", url=url)]])
    first = answer.sentences[0].text if answer.sentences else answer.text
    return InlineQueryResultArticle(
        id=hashlib.sha1(key).hexdigest(),
        title=answer.topic_title or "Answer",
        description=first if len(first) <= 120 else first[:119] + "…",
        input_message_content=InputTextMessageContent(
            chunk.html, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
        ),
        reply_markup=markup,
    )


# --- errors -----------------------------------------------------------------------------------


async def on_error(update: object, context: Context) -> None:
    """Log the error with its traceback and send the user a short apology."""
    log.error("Error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.callback_query is not None:
        # Already answered, or too old: the apology below is what matters.
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    try:
        await reply_to(update, context.bot, render_text(APOLOGY))
    except TelegramError as exc:
        log.warning("Could not send the apology: %s", exc)


# --- helpers ----------------------------------------------------------------------------------


def find_topic(engine: Engine, words: str) -> str | None:
    """The slug `words` name: a slug or button reference as is, else the best match."""
    exact = resolve_ref(words.strip().lower(), engine.briefs.briefs)
    if exact is not None:
        return exact
    found = engine.find_topics(words, limit=1)
    return found[0][0] if found else None
