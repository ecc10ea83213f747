"""Each update answered once, however many times it arrives.

Telegram re-delivers a webhook update it has no answer for (a replica died, the proxy timed
out), and behind a proxy the repeat may reach another replica. The first handler, in group -1
before every other, claims the update's id in the shared store; a repeat stops there
(ApplicationHandlerStop), so no other handler sees it.

The claim is the only store write on the way to a reply. When the store cannot be reached
even after its reconnect attempts, the update is handled anyway: answering a rare repeat
twice is better than answering nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, CallbackContext, TypeHandler

from bot.errors import StoreError
from bot.tg import services

log = logging.getLogger(__name__)

GROUP = -1  # before the handlers of group 0


async def drop_repeats(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> None:
    """Let the first delivery of an update through; stop every later one."""
    store = services.get(context).store
    if store is None:
        return
    try:
        first = store.claim_update(update.update_id)
    except StoreError as exc:
        log.warning("cannot check update %s for a repeat (%s); handling it", update.update_id, exc)
        return
    if not first:
        log.debug("update %s was handled before; dropping the repeat", update.update_id)
        raise ApplicationHandlerStop


def handler() -> BaseHandler[Update, Any, Any]:
    return TypeHandler(Update, drop_repeats)
