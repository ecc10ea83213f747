"""The docs stay honest: every command the bot handles is in /help, the menu and the README,
and every setting of Config is documented in config.yaml."""

import dataclasses
import re
from pathlib import Path
from typing import Any

import yaml
from telegram.ext import Application, CommandHandler

from bot.config import HIDDEN, Config
from bot.render import COMMANDS, render_help

ROOT = Path(__file__).resolve().parents[2]


def handled_commands(app: Application[Any, Any, Any, Any, Any, Any]) -> set[str]:
    names: set[str] = set()
    for group in app.handlers.values():
        for handler in group:
            if isinstance(handler, CommandHandler):
                names |= set(handler.commands)
    return names


def test_every_handled_command_is_listed_in_help_and_the_menu(
    app: Application[Any, Any, Any, Any, Any, Any],
) -> None:
    listed = {c.name for c in COMMANDS}
    assert handled_commands(app) == listed
    help_text = "".join(chunk.plain for chunk in render_help(admin=True).chunks)
    for name in listed:
        assert f"/{name}" in help_text


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        assert re.search(rf"`/{command.name}\b", readme), f"/{command.name} is not in README.md"


def _documented_keys(data: dict[str, Any], prefix: str = "") -> set[str]:
    keys = set()
    for key, value in data.items():
        keys.add(prefix + key)
        if isinstance(value, dict) and key not in ("rename",):
            keys |= _documented_keys(value, f"{prefix}{key}.")
    return keys


def _setting_keys(cls: Any, prefix: str = "") -> set[str]:
    keys = set()
    for f in dataclasses.fields(cls):
        if not prefix and f.name in HIDDEN:
            continue
        keys.add(prefix + f.name)
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        if dataclasses.is_dataclass(default) and not isinstance(default, type):
            keys |= _setting_keys(type(default), f"{prefix}{f.name}.")
    return keys


def test_every_setting_is_documented_in_config_yaml() -> None:
    documented = _documented_keys(
        yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    )
    missing = _setting_keys(Config) - documented
    assert not missing, f"settings not shown in config.yaml: {sorted(missing)}"
