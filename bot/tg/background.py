"""What a running replica does besides answering updates, started in post_init, stopped in
post_stop: the digest scheduler tick (bot/tg/leader.py, doing work only while it leads), the
delivery worker (bot/tg/digests.py) and the briefs-version listener (bot/tg/reloads.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application

from bot.errors import ConfigError, StoreError
from bot.tg import services
from bot.tg.digests import LEASE_ENV, LEASE_SECONDS, DeliveryWorker
from bot.tg.leader import SCHEDULER_TICK, TICK_ENV, Scheduler
from bot.tg.reloads import BriefsFollower

log = logging.getLogger(__name__)


def seconds_from_env(name: str, default: float) -> float:
    """A positive number of seconds from the environment, or `default` when unset."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise ConfigError(f"{name}={text!r}: give a number of seconds above 0")
    return value


@dataclass(kw_only=True)
class Background:
    scheduler: Scheduler
    worker: DeliveryWorker
    follower: BriefsFollower
    listener: Any = None  # the store's Closeable
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def stop(self) -> None:
        """Stop ticking and listening; let the deliveries in flight finish (up to a lease)."""
        if self.listener is not None:
            with contextlib.suppress(Exception):
                self.listener.close()
            self.listener = None
        self.worker.stop()
        scheduler_task, worker_task = self.tasks
        scheduler_task.cancel()
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(worker_task, self.worker.lease_seconds)
        with contextlib.suppress(asyncio.CancelledError):
            await scheduler_task
        self.worker.close()
        await self.follower.wait()
        try:
            await asyncio.to_thread(self.scheduler.resign)
        except StoreError as exc:
            log.warning("cannot resign the scheduler lead: %s", exc)


async def start(application: Application[Any, Any, Any, Any, Any, Any]) -> Background:
    svc = services.get_from(application)
    store = svc.store
    assert store is not None
    worker = DeliveryWorker(
        application, owner=svc.replica, lease_seconds=seconds_from_env(LEASE_ENV, LEASE_SECONDS)
    )
    scheduler = Scheduler(
        store, svc.config.digest, on_queued=lambda _: worker.wake(), name=svc.replica
    )
    tick = seconds_from_env(TICK_ENV, SCHEDULER_TICK)
    follower = BriefsFollower(svc, asyncio.get_running_loop())
    background = Background(scheduler=scheduler, worker=worker, follower=follower)
    background.listener = await asyncio.to_thread(store.listen_briefs, follower.notify)
    background.tasks = [
        asyncio.create_task(scheduler.run(tick), name="digest scheduler"),
        asyncio.create_task(worker.run(), name="digest worker"),
    ]
    return background
