"""Send a rendered `Reply`: HTML first, the same words as plain text if Telegram refuses it."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.render import Reply
from bot.tg.keyboards import to_markup

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def is_markup_refusal(error: BadRequest) -> bool:
    """Telegram's answer to HTML it cannot parse ("Can't parse entities: ...")."""
    return "can't parse entities" in str(error).lower()


async def send_reply(
    bot: Bot, chat_id: int, reply: Reply, *, thread_id: int | None = None
) -> list[Message]:
    """Send every chunk of `reply` in order; the keyboard goes under the last one."""
    markup = to_markup(reply.keyboard)
    sent: list[Message] = []
    for i, chunk in enumerate(reply.chunks):
        options: dict[str, Any] = {
            "chat_id": chat_id,
            "message_thread_id": thread_id,
            "reply_markup": markup if i == len(reply.chunks) - 1 else None,
            "link_preview_options": NO_PREVIEW,
        }
        try:
            message = await bot.send_message(text=chunk.html, parse_mode=ParseMode.HTML, **options)
        except BadRequest as exc:
            if not is_markup_refusal(exc):
                raise
            log.warning("Telegram refused the HTML of a reply (%s); sending it as plain text", exc)
            message = await bot.send_message(text=chunk.plain, **options)
        sent.append(message)
    return sent


def thread_of(message: object) -> int | None:
    """The forum topic a message was posted in, so the reply lands in the same one."""
    if isinstance(message, Message) and message.is_topic_message:
        return message.message_thread_id
    return None


async def reply_to(update: Update, bot: Bot, reply: Reply) -> list[Message]:
    """Answer `update` in its chat (and forum topic)."""
    chat = update.effective_chat
    if chat is None:
        return []
    # For a button press this is the message the button was under.
    return await send_reply(bot, chat.id, reply, thread_id=thread_of(update.effective_message))
