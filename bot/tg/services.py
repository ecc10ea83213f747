"""The services every handler needs, kept in `bot_data` under one typed key.

The engine is replaced whole on /reload (one attribute assignment, so a handler sees either
the old brief set or the new one, never a mix).

`replica` names this process among the replicas sharing one store (BRIEFBOT_REPLICA, else
host:pid): it owns the deliveries this process claims and names its database connections.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from typing import Any

from telegram.ext import Application, CallbackContext

from bot.config import Config
from bot.engine import Engine
from bot.subscriptions import Store

KEY = "briefbot"
REPLICA_ENV = "BRIEFBOT_REPLICA"


def replica_name() -> str:
    """This process's name among the replicas: BRIEFBOT_REPLICA, else host:pid."""
    return os.environ.get(REPLICA_ENV) or f"{socket.gethostname()}:{os.getpid()}"


@dataclass(kw_only=True)
class Services:
    config: Config
    engine: Engine
    store: Store | None = None  # opened in post_init when not given
    owns_store: bool = False  # closed in post_shutdown when we opened it
    replica: str = "briefbot"
    background: Any = None  # bot.tg.background.Background while running

    def topics(self) -> list[tuple[str, str]]:
        """(slug, title) of every brief, in index order."""
        return [(b.slug, b.title) for b in self.engine.briefs]

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.config.admins


def install(application: Application[Any, Any, Any, Any, Any, Any], services: Services) -> None:
    application.bot_data[KEY] = services


def get(context: CallbackContext[Any, Any, Any, Any]) -> Services:
    """The services of the running application, from a handler's context."""
    services = context.bot_data[KEY]
    assert isinstance(services, Services)
    return services


def get_from(application: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    """The services of `application` (post_init, jobs, tests)."""
    services = application.bot_data[KEY]
    assert isinstance(services, Services)
    return services
