"""run_bot as it runs in production: a separate process, config from a file, the token from
the environment, long polling or a webhook against the fake Bot API (its own process) until
Ctrl-C; and `briefbot run --port`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.__main__ import _parser, with_port
from bot.config import Config
from bot.tg.services import replica_name
from tests.e2e.cluster import FakeBotApi, free_port

from .fakebotapi import TOKEN, message_data

ROOT = Path(__file__).resolve().parents[2]
# Logging at DEBUG, the most a careless set-up would print: the token must still not appear.
RUN = (
    "import logging, sys; logging.basicConfig(level=logging.DEBUG); "
    "from bot.config import load_config; from bot.tg.app import run_bot; "
    "run_bot(load_config(sys.argv[1]))"
)
# As `briefbot run --config C --port P` does, without its build step.
RUN_ON_PORT = (
    "import logging, sys; logging.basicConfig(level=logging.INFO); "
    "from bot.__main__ import with_port; from bot.config import load_config; "
    "from bot.tg.app import run_bot; run_bot(with_port(load_config(sys.argv[1]), int(sys.argv[2])))"
)


def wait_for(condition: Any, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def test_run_bot_polls_answers_and_stops_cleanly_on_interrupt(
    tmp_path: Path, briefs_dir: Path
) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": TOKEN}
    server = FakeBotApi()
    try:
        config = tmp_path / "config.yaml"
        config.write_text(
            yaml.safe_dump(
                {
                    "briefs": str(briefs_dir),
                    "admins": [7],
                    "storage": {"url": "sqlite:///state/bot.sqlite3"},
                    "telegram": {
                        "base_url": server.base_url,
                        "rate_limit": {"enabled": False},
                    },
                }
            ),
            encoding="utf-8",
        )
        bot = subprocess.Popen(
            [sys.executable, "-c", RUN, str(config)],
            cwd=tmp_path,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            server.schedule([message_data("How many civilians remain in Kursk?")])

            def replies() -> list[Any]:
                return [c for c in server.calls() if c[0] == "sendMessage" and c[2]]

            [reply] = wait_for(replies)
            assert reply[1] == 42
            methods = [c[0] for c in server.calls()]
            assert methods.count("setMyCommands") == 2  # users, and the admin's own menu
        finally:
            bot.send_signal(signal.SIGINT)
            _, stderr = bot.communicate(timeout=30)
        assert bot.returncode == 0, stderr
        assert (tmp_path / "state" / "bot.sqlite3").exists()
        assert "Serving 3 topics by polling" in stderr
        assert TOKEN.split(":")[1] not in stderr
    finally:
        server.stop()


def test_run_port_overrides_the_webhook_port() -> None:
    args = _parser().parse_args(["run", "--port", "8444"])
    assert with_port(Config(), args.port).telegram.webhook.port == 8444
    assert with_port(Config(), _parser().parse_args(["run"]).port) == Config()
    for bad in ("0", "70000", "http"):
        with pytest.raises(SystemExit):
            _parser().parse_args(["run", "--port", bad])


def test_the_replica_name_is_the_environment_s_or_host_and_pid(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BRIEFBOT_REPLICA", "replica-2")
    assert replica_name() == "replica-2"
    monkeypatch.delenv("BRIEFBOT_REPLICA")
    assert replica_name().endswith(f":{os.getpid()}")


def test_a_webhook_replica_on_its_own_port_answers_a_repeated_update_once(
    tmp_path: Path, briefs_dir: Path
) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": "s3cret-hook",
        "BRIEFBOT_REPLICA": "replica-7",
    }
    server = FakeBotApi()
    try:
        port = free_port()
        config = tmp_path / "config.yaml"
        config.write_text(
            yaml.safe_dump(
                {
                    "briefs": str(briefs_dir),
                    "storage": {"url": "sqlite:///state/bot.sqlite3"},
                    "telegram": {
                        "mode": "webhook",
                        "base_url": server.base_url,
                        "rate_limit": {"enabled": False},
                        # The port in the file is taken; --port says which one to use.
                        "webhook": {
                            "listen": "127.0.0.1",
                            "port": 1,
                            "url": "https://briefbot.example/hook",
                            "url_path": "hook",
                        },
                    },
                }
            ),
            encoding="utf-8",
        )
        # The public URL stands for this replica's port, as a proxy would.
        server.deliver_to(f"http://127.0.0.1:{port}/hook")
        bot = subprocess.Popen(
            [sys.executable, "-c", RUN_ON_PORT, str(config), str(port)],
            cwd=tmp_path,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_for(server.registered)
            server.schedule([message_data("How many civilians remain in Kursk?")], repeat=[0])

            def posts() -> list[Any]:
                found = server.posts()
                return found if sum(1 for p in found if 200 <= p[4] < 300) == 2 else []

            assert [p[3] for p in wait_for(posts)] == [False, True]  # delivered, then again
            time.sleep(0.5)  # time for a second reply, were one coming
            replies = [c for c in server.calls() if c[0] == "sendMessage" and c[2]]
            assert [c[1] for c in replies] == [42]
        finally:
            bot.send_signal(signal.SIGINT)
            _, stderr = bot.communicate(timeout=60)
        assert bot.returncode == 0, stderr
        assert "Serving 3 topics by webhook as replica replica-7 (sqlite store)" in stderr
    finally:
        server.stop()
