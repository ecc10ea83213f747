"""/reload on one replica reaches all of them.

The replica that runs /reload loads briefs/ from disk, swaps its engine and publishes the new
set's version (a hash of the brief files) in the store. Every replica listens
(`Store.listen_briefs`: PostgreSQL LISTEN/NOTIFY on a thread of the store's, which also calls
back with the stored version after each reconnect, so a notification missed while the
connection was down is caught up). A version that differs from the replica's own makes it
reload from its disk too. SQLite serves one process, so there is nobody to tell.

A replica whose folder does not hold the published version (its copy is not updated yet, or
holds something else) keeps its set and says so; it reads the folder again on the next notification or reconnect,
or on a /reload of its own, rather than remembering that it once did not match.

The callback comes on the store's listener thread: it only hands the version to the event
loop (`call_soon_threadsafe`); loading and swapping happen there, one reload at a time.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.engine import Engine
from bot.errors import BriefbotError
from bot.tg import services

log = logging.getLogger(__name__)


class BriefsFollower:
    """Reloads the engine of `svc` when another replica publishes another briefs version."""

    def __init__(self, svc: services.Services, loop: asyncio.AbstractEventLoop) -> None:
        self.svc = svc
        self.loop = loop
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()

    def notify(self, version: str) -> None:
        """The store's listener thread: a version was published (or is the stored one)."""
        self.loop.call_soon_threadsafe(self._start, version)

    def _start(self, version: str) -> None:
        task = self.loop.create_task(self.follow(version))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def follow(self, version: str) -> bool:
        """Reload from disk if `version` is not the one being served; True when swapped."""
        async with self._lock:
            current = self.svc.engine.briefs.version
            if version == current:
                return False
            try:
                new = await asyncio.to_thread(Engine.load, self.svc.config)
            except BriefbotError as exc:
                log.warning(
                    "briefs version %s was published but cannot be loaded: %s", version, exc
                )
                return False
            if new.briefs.version != version:
                # Only the published set: replicas must not drift to whatever their disk holds.
                log.warning(
                    "briefs version %s was published, but this replica's briefs folder holds %s; "
                    "still serving %s",
                    version,
                    new.briefs.version,
                    current,
                )
                return False
            self.svc.engine = new
            log.info("Reloaded briefs: %d topics, version %s", len(new.briefs), new.briefs.version)
            return True

    async def wait(self) -> None:
        """Until the reloads under way are done (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
