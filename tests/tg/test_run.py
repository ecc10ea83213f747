"""run_bot as it runs in production: a separate process, config from a file, the token from
the environment, long polling against the fake Bot API (its own process) until Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from .fakebotapi import TOKEN, message_data

ROOT = Path(__file__).resolve().parents[2]
# Logging at DEBUG, the most a careless set-up would print: the token must still not appear.
RUN = (
    "import logging, sys; logging.basicConfig(level=logging.DEBUG); "
    "from bot.config import load_config; from bot.tg.app import run_bot; "
    "run_bot(load_config(sys.argv[1]))"
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
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.tg.fakebotapi", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        control = f"http://127.0.0.1:{port}/_fake"
        config = tmp_path / "config.yaml"
        config.write_text(
            yaml.safe_dump(
                {
                    "briefs": str(briefs_dir),
                    "admins": [7],
                    "storage": {"url": "sqlite:///state/bot.sqlite3"},
                    "telegram": {
                        "base_url": f"http://127.0.0.1:{port}/bot",
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
            httpx.post(
                f"{control}/schedule",
                json={"updates": [message_data("How many civilians remain in Kursk?")]},
            )

            def replies() -> list[Any]:
                calls = httpx.get(f"{control}/calls").json()["result"]["calls"]
                return [c for c in calls if c[0] == "sendMessage" and c[2]]

            [reply] = wait_for(replies)
            assert reply[1] == 42
            methods = [c[0] for c in httpx.get(f"{control}/calls").json()["result"]["calls"]]
            assert methods.count("setMyCommands") == 2  # users, and the admin's own menu
        finally:
            bot.send_signal(signal.SIGINT)
            _, stderr = bot.communicate(timeout=30)
        assert bot.returncode == 0, stderr
        assert (tmp_path / "state" / "bot.sqlite3").exists()
        assert "Serving 3 topics by polling" in stderr
        assert TOKEN.split(":")[1] not in stderr
    finally:
        server.terminate()
        server.communicate(timeout=10)
