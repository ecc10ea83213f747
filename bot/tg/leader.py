"""The digest scheduler: one replica at a time queues the digests that fall due.

Every SCHEDULER_TICK seconds each replica asks the store whether it leads (`try_lead`: a
PostgreSQL advisory lock held on a connection of its own, released by the server when the
process dies; SQLite has one process and always leads). The leader then, for each distinct
digest time and zone the chats use, works out the slot due now (`bot.schedule.due_slot`: the
last local digest time, if it passed within the catch-up window) and has the store queue a
delivery for every chat of that time that has not had that slot yet (`enqueue_slot`, one
transaction). The workers of every replica send them (bot/tg/digests.py).

Queueing is idempotent, so a tick that runs twice, two leaders for a moment, or a new leader
re-queueing what the old one did before dying all queue each (chat, slot) once. A replica that
is not leading retries the lock every tick, so it takes over within a tick of the leader's end.
The leader also forgets old update ids and finished deliveries, once an hour.

The scan replaces per-chat timers: a new subscription or a changed digest time needs nothing
but its row, which is what lets any replica take the command and another one send the digest.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable

from bot.config import DigestConfig
from bot.errors import StoreError
from bot.schedule import due_slot
from bot.subscriptions import Store

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]

SCHEDULER_TICK = 20.0  # seconds
TICK_ENV = "BRIEFBOT_SCHEDULER_TICK"  # overrides SCHEDULER_TICK (tests, tuning)
# A slot is queued by any tick within this long of it, whatever catch_up_minutes says: ticks
# are SCHEDULER_TICK apart and a new leader may take a tick to get the lock.
MIN_WINDOW = dt.timedelta(minutes=2)
PRUNE_EVERY = 3600.0  # seconds
# Telegram keeps an unanswered update for 24 hours; a repeat cannot come later than that.
UPDATE_MEMORY = 2 * 24 * 3600
DELIVERY_MEMORY = 7 * 24 * 3600


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def enqueue_due(store: Store, digest: DigestConfig, now: dt.datetime) -> int:
    """Queue every digest due at `now`; the number of deliveries queued."""
    window = max(dt.timedelta(minutes=digest.catch_up_minutes), MIN_WINDOW)
    queued = 0
    for hhmm, zone in store.digest_times():
        slot = due_slot(
            now,
            hhmm or digest.default_time,
            zone or digest.default_timezone,
            window=window,
        )
        if slot is None:
            continue
        queued += store.enqueue_slot(
            hhmm,
            zone,
            int(slot.timestamp()),
            default_time=digest.default_time,
            default_tz=digest.default_timezone,
        )
    return queued


class Scheduler:
    """The tick loop of one replica: lead if it can, then queue what is due."""

    def __init__(
        self,
        store: Store,
        digest: DigestConfig,
        *,
        clock: Clock = utcnow,
        on_queued: Callable[[int], None] | None = None,
        name: str = "this replica",
    ) -> None:
        self.store = store
        self.name = name
        self.digest = digest
        self.clock = clock
        self.on_queued = on_queued
        self.leading = False
        self._pruned_at: float | None = None

    async def tick(self) -> int | None:
        """One tick: None when another replica leads, else the deliveries queued."""
        # try_lead confirms a lock already held (one round trip) or tries to take it.
        leading = await asyncio.to_thread(self.store.try_lead)
        if leading != self.leading:
            log.info("%s: %s the digest scheduler", self.name, "leading" if leading else "lost")
            self.leading = leading
        if not leading:
            return None
        queued = await asyncio.to_thread(enqueue_due, self.store, self.digest, self.clock())
        if queued:
            log.info("queued %d digests", queued)
            if self.on_queued is not None:
                self.on_queued(queued)
        if self._pruned_at is None or time.monotonic() - self._pruned_at >= PRUNE_EVERY:
            self._pruned_at = time.monotonic()
            await asyncio.to_thread(self._prune)
        return queued

    def _prune(self) -> None:
        updates = self.store.prune_updates(UPDATE_MEMORY)
        deliveries = self.store.prune_deliveries(DELIVERY_MEMORY)
        log.debug("forgot %d update ids and %d finished deliveries", updates, deliveries)

    async def run(self, interval: float = SCHEDULER_TICK) -> None:
        """Tick until cancelled; a store error costs one tick, not the loop."""
        while True:
            try:
                await self.tick()
            except StoreError as exc:
                log.warning("digest scheduler tick failed: %s", exc)
            await asyncio.sleep(interval)

    def resign(self) -> None:
        if self.leading:
            self.store.resign()
            self.leading = False
            log.info("%s: resigned the digest scheduler", self.name)
