"""`briefbot run` when Telegram cannot be used: one clear line and exit code 2, no traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import yaml

from .fakebotapi import TOKEN, FakeTelegram, serving_in_thread

ROOT = Path(__file__).resolve().parents[2]


def run_briefbot(tmp_path: Path, base_url: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "config.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                # The committed briefs are fresh for these seeds: `run` does not build.
                "seeds": str(ROOT / "seeds"),
                "briefs": str(ROOT / "briefs"),
                "storage": {"url": "sqlite:///state/bot.sqlite3"},
                "telegram": {"base_url": base_url},
            }
        ),
        encoding="utf-8",
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": TOKEN},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_bot_api_that_cannot_be_reached_is_named_with_the_setting_to_check(
    tmp_path: Path,
) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}/bot"
    done = run_briefbot(tmp_path, base_url)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"cannot reach the Telegram Bot API at {base_url}" in done.stderr
    assert "telegram.base_url" in done.stderr
    assert TOKEN not in done.stderr


def test_a_token_telegram_refuses_says_where_to_get_a_new_one(tmp_path: Path) -> None:
    other_bot = FakeTelegram(token="987654321:AAAnotherBotsTokenForTestsOnly_abcdefgh")
    with serving_in_thread(other_bot) as server:
        done = run_briefbot(tmp_path, server.base_url)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "Telegram refused TELEGRAM_BOT_TOKEN" in done.stderr
    assert "@BotFather" in done.stderr
    assert TOKEN not in done.stderr
