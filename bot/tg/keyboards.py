"""Plain-data keyboards (bot.render) -> Telegram's InlineKeyboardMarkup."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render import Button, Keyboard


def to_markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    """None for an empty keyboard, so the message carries no markup at all."""
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.label, callback_data=b.data)
                if isinstance(b, Button)
                else InlineKeyboardButton(b.label, url=b.url)
                for b in row
            ]
            for row in keyboard
        ]
    )
