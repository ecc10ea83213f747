"""config.yaml loads into a frozen Config; mistakes are named with file, key and fix."""

from pathlib import Path

import pytest

from bot.config import Config, Secret, load_config
from bot.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_committed_config_loads_with_defaults_and_paths_resolved() -> None:
    config = load_config(ROOT / "config.yaml", environ={})
    assert config.seeds == ROOT / "seeds"
    assert config.briefs == ROOT / "briefs"
    assert config.storage.url == f"sqlite:///{ROOT / 'data' / 'briefbot.sqlite3'}"
    assert config.storage.path == ROOT / "data" / "briefbot.sqlite3"
    assert config.token is None


def test_an_empty_file_means_every_default(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""), environ={})
    assert config.matching == Config().matching
    assert config.seeds == tmp_path / "seeds"


def test_the_token_comes_from_the_environment_and_stays_out_of_repr(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, "admins: [42]\n"), environ={"TELEGRAM_BOT_TOKEN": "123:SECRET"}
    )
    assert isinstance(config.token, Secret)
    assert config.token.reveal() == "123:SECRET"
    assert "SECRET" not in repr(config)
    assert "SECRET" not in str(config.token)
    assert config.admins == (42,)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("matching:\n  answer_cutof: 0.5\n", "matching.answer_cutof: unknown setting"),
        (
            "matching:\n  answer_cutoff: high\n",
            "matching.answer_cutoff: expected a number, got 'high'",
        ),
        ("matching:\n  answer_cutoff: 3\n", "matching.answer_cutoff must be between 0 and 1"),
        ("admins: [alice]\n", "admins[0]: expected a whole number"),
        ("digest:\n  default_timezone: Mars/Olympus\n", "is not an IANA time zone"),
        ("digest:\n  default_time: '25:00'\n", "digest.default_time must be HH:MM"),
        (
            "topics:\n  merge:\n    - into: a\n",
            "topics.merge[0].sources: required field is missing",
        ),
        ("topics:\n  rename:\n    Not A Slug: x\n", "is not a slug"),
        ("telegram:\n  mode: webhook\n", "telegram.webhook.url is required"),
        ("token: abc\n", "'token' cannot be set in the file"),
        ("seeds: [unclosed\n", "not valid YAML"),
        ("- a list\n", "the top level must be a mapping"),
        ("storage:\n  path: bot.sqlite3\n", "storage.path: unknown setting"),
        (
            "storage:\n  url: mysql://db/briefbot\n",
            "storage.url must be sqlite:///path/to/file.sqlite3 or postgresql://",
        ),
    ],
)
def test_mistakes_name_the_file_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, environ={})
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_an_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.yaml", environ={})


def test_a_sqlite_url_is_relative_to_the_config_file_unless_absolute(tmp_path: Path) -> None:
    relative = load_config(write(tmp_path, "storage:\n  url: sqlite:///state/b.sqlite3\n"), {})
    assert relative.storage.path == tmp_path / "state" / "b.sqlite3"
    assert relative.storage.url == f"sqlite:///{tmp_path / 'state' / 'b.sqlite3'}"
    absolute = load_config(write(tmp_path, "storage:\n  url: sqlite:////srv/b.sqlite3\n"), {})
    assert absolute.storage.path == Path("/srv/b.sqlite3")


def test_the_storage_url_from_the_environment_wins_and_its_password_stays_out_of_repr(
    tmp_path: Path,
) -> None:
    url = "postgresql://briefbot:hunter2@db.internal:5432/briefbot"
    config = load_config(
        write(tmp_path, "storage:\n  url: sqlite:///local.sqlite3\n"),
        environ={"BRIEFBOT_STORAGE_URL": url},
    )
    assert config.storage.url == url
    assert config.storage.path is None
    assert "hunter2" not in repr(config)
    assert "postgresql://briefbot:***@db.internal:5432/briefbot" in repr(config.storage)


def test_a_wrong_storage_url_in_the_environment_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^BRIEFBOT_STORAGE_URL must be sqlite:///"):
        load_config(write(tmp_path, ""), environ={"BRIEFBOT_STORAGE_URL": "redis://x"})
