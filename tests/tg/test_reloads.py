"""Following a briefs version another replica published: the listener's thread hands it to the
event loop, which reloads from disk once per version (tests/tg/test_replicas.py has the real
PostgreSQL NOTIFY between two Applications)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
import yaml

from bot.config import Config
from bot.engine import Engine
from bot.tg.reloads import BriefsFollower
from bot.tg.services import Services


def retitle(briefs_dir: Path, title: str) -> None:
    path = briefs_dir / "kursk-fighting.yaml"
    brief = yaml.safe_load(path.read_text(encoding="utf-8"))
    brief["title"] = title
    path.write_text(yaml.safe_dump(brief, allow_unicode=True), encoding="utf-8")


async def test_a_version_from_the_listener_thread_reloads_on_the_loop(
    config: Config, briefs_dir: Path
) -> None:
    svc = Services(config=config, engine=Engine.load(config))
    follower = BriefsFollower(svc, asyncio.get_running_loop())
    retitle(briefs_dir, "Kursk")
    published = Engine.load(config).briefs.version  # what the other replica published
    listener = threading.Thread(target=follower.notify, args=(published,))
    listener.start()
    listener.join()
    for _ in range(200):
        await follower.wait()
        if svc.engine.briefs.version == published:
            break
        await asyncio.sleep(0.01)
    assert svc.engine.briefs.version == published
    assert svc.engine.briefs.briefs["kursk-fighting"].title == "Kursk"


async def test_a_version_this_disk_does_not_hold_keeps_the_set_until_the_disk_has_it(
    config: Config, briefs_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = Services(config=config, engine=Engine.load(config))
    before = svc.engine
    loads: list[Config] = []
    real_load = Engine.load

    def counting_load(cfg: Config) -> Engine:
        loads.append(cfg)
        return real_load(cfg)

    monkeypatch.setattr(Engine, "load", counting_load)
    follower = BriefsFollower(svc, asyncio.get_running_loop())
    retitle(briefs_dir, "Kursk")
    published = real_load(config).briefs.version
    retitle(briefs_dir, "The battle for Kursk")  # this replica's copy is not updated yet
    assert await follower.follow(published) is False
    assert svc.engine is before and len(loads) == 1
    # Its own version: nothing to read at all.
    assert await follower.follow(before.briefs.version) is False
    assert len(loads) == 1
    # The copy arrives; the listener repeats the version after a reconnect: taken now.
    retitle(briefs_dir, "Kursk")
    assert await follower.follow(published) is True
    assert svc.engine.briefs.version == published
    assert svc.engine.briefs.briefs["kursk-fighting"].title == "Kursk"
