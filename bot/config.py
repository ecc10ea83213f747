"""config.yaml + the environment -> a frozen `Config`.

Every setting has a default in the dataclasses below, so an empty config.yaml is valid.
Unknown keys and wrong types are errors that name the file, the key and the fix.
Relative paths are resolved against the folder of the config file.
The Telegram token comes only from the environment and never appears in `repr`; the storage
URL may too (BRIEFBOT_STORAGE_URL wins over the file), and its password never appears in `repr`.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.db import is_postgres, redact, sqlite_path
from bot.errors import ConfigError
from bot.schema import from_mapping

TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
WEBHOOK_SECRET_ENV = "TELEGRAM_WEBHOOK_SECRET"
STORAGE_URL_ENV = "BRIEFBOT_STORAGE_URL"
# Set by the loader, never by the file.
HIDDEN = ("path", "token", "webhook_secret")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Secret:
    """A string that keeps itself out of logs, reprs and tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True, kw_only=True)
class TopicMerge:
    """Fold the topics `sources` into `into` (which may be one of them or a new slug)."""

    into: str
    sources: tuple[str, ...]
    title: str | None = None


@dataclass(frozen=True, kw_only=True)
class TopicPin:
    """A topic that must exist: sentences matching its keywords are gathered into it."""

    slug: str
    title: str
    keywords: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class TopicsConfig:
    rename: dict[str, str] = field(default_factory=dict)
    merge: tuple[TopicMerge, ...] = ()
    pin: tuple[TopicPin, ...] = ()


@dataclass(frozen=True, kw_only=True)
class BuildConfig:
    # A safety cap: the number of topics follows the corpus (see cluster_threshold).
    max_topics: int = 200
    # A topic needs real substance: at least this many kept sentences.
    min_topic_sentences: int = 4
    summary_sentences: int = 5
    max_facts: int = 15
    max_quotes: int = 10
    # Further informative sentences kept for answering questions (not shown in full): at most
    # `details_per_article` from each article, so every article feeds its brief, and at most
    # `max_details` per brief in all (a safety cap).
    details_per_article: int = 60
    max_details: int = 3000
    # Articles join one topic while their average TF-IDF cosine similarity is at least this
    # (0..1): higher gives more, narrower topics.
    cluster_threshold: float = 0.15


@dataclass(frozen=True, kw_only=True)
class MatchingConfig:
    # Below this confidence (0..1) the bot says it has no brief on the question. Confidence is
    # the share of the question's words, weighted by rarity, that the answer covers (0.55 was
    # tuned on tests/data/questions.yaml: higher declines more, lower answers more).
    answer_cutoff: float = 0.55
    # When the two best topics are closer than this, the bot asks which one was meant
    # (only for topic-like questions; a fact question is answered from the best sentence).
    ambiguity_margin: float = 0.04
    max_answer_sentences: int = 3
    suggestions: int = 3


@dataclass(frozen=True, kw_only=True)
class WebhookConfig:
    listen: str = "0.0.0.0"
    port: int = 8443
    url: str | None = None
    url_path: str = ""
    # Also read from TELEGRAM_WEBHOOK_SECRET, which wins over the file.
    secret_token: str | None = None


@dataclass(frozen=True, kw_only=True)
class RateLimitConfig:
    enabled: bool = True
    overall_per_second: float = 30.0
    group_per_minute: float = 20.0
    max_retries: int = 3


@dataclass(frozen=True, kw_only=True)
class TelegramConfig:
    mode: Literal["polling", "webhook"] = "polling"
    base_url: str | None = None
    base_file_url: str | None = None
    webhook: WebhookConfig = field(default_factory=WebhookConfig)
    rate_limit: RateLimitConfig = field(default_factory=RateLimitConfig)


@dataclass(frozen=True, kw_only=True)
class StorageConfig:
    # sqlite:///path (relative to config.yaml's folder; sqlite:////abs for an absolute one) or
    # postgresql://user@host:5432/db. STORAGE_URL_ENV wins: a password belongs there, not here.
    url: str = "sqlite:///data/briefbot.sqlite3"

    def __repr__(self) -> str:
        return f"StorageConfig(url={redact(self.url)!r})"

    @property
    def path(self) -> Path | None:
        """The SQLite file; None for PostgreSQL."""
        return sqlite_path(self.url) if self.url.startswith("sqlite:") else None


@dataclass(frozen=True, kw_only=True)
class DigestConfig:
    default_time: str = "08:00"
    default_timezone: str = "UTC"
    # New sentences shown per topic in a digest; the rest are counted with a /brief link.
    max_items_per_topic: int = 5
    # After a restart, a digest whose time passed less than this long ago is sent at once.
    catch_up_minutes: int = 60


@dataclass(frozen=True, kw_only=True)
class Config:
    path: Path | None = None
    seeds: Path = Path("seeds")
    briefs: Path = Path("briefs")
    admins: tuple[int, ...] = ()
    topics: TopicsConfig = field(default_factory=TopicsConfig)
    build: BuildConfig = field(default_factory=BuildConfig)
    matching: MatchingConfig = field(default_factory=MatchingConfig)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    digest: DigestConfig = field(default_factory=DigestConfig)
    token: Secret | None = field(default=None, repr=False)
    webhook_secret: Secret | None = field(default=None, repr=False)


def load_config(path: Path | str | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read `path` (default ./config.yaml; a missing default file means all defaults)."""
    environ = os.environ if environ is None else environ
    explicit = path is not None
    cfg_path = Path(path) if path is not None else Path("config.yaml")
    data: Any = {}
    if cfg_path.exists():
        try:
            data = yaml.safe_load(cfg_path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f":{mark.line + 1}" if mark is not None else ""
            raise ConfigError(
                f"{cfg_path}{where}: not valid YAML ({getattr(exc, 'problem', exc)}); "
                "fix the syntax or start again from the config.yaml in the repository"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{cfg_path}: cannot read the config file ({exc})") from None
    elif explicit:
        raise ConfigError(f"{cfg_path}: no such config file; pass --config with an existing file")
    if not isinstance(data, dict):
        raise ConfigError(f"{cfg_path}: the top level must be a mapping of settings")
    data = dict(data)
    for key in HIDDEN:
        if key in data:
            raise ConfigError(
                f"{cfg_path}: '{key}' cannot be set in the file"
                + (f"; set the environment variable {TOKEN_ENV}" if key == "token" else "")
            )
    config = from_mapping(Config, data, file=str(cfg_path), error=ConfigError, hidden=HIDDEN)
    base = cfg_path.resolve().parent
    token = environ.get(TOKEN_ENV, "").strip()
    secret = environ.get(WEBHOOK_SECRET_ENV, "").strip() or (
        config.telegram.webhook.secret_token or ""
    )
    config = dataclasses.replace(
        config,
        path=cfg_path.resolve(),
        seeds=_resolve(base, config.seeds),
        briefs=_resolve(base, config.briefs),
        storage=_storage(config.storage, base, environ, str(cfg_path)),
        token=Secret(token) if token else None,
        webhook_secret=Secret(secret) if secret else None,
    )
    _validate(config, str(cfg_path))
    return config


def _resolve(base: Path, path: Path) -> Path:
    return path if path.is_absolute() else base / path


def _storage(
    storage: StorageConfig, base: Path, environ: Mapping[str, str], where: str
) -> StorageConfig:
    """The environment's URL over the file's; a SQLite path made absolute."""
    url = environ.get(STORAGE_URL_ENV, "").strip()
    source = STORAGE_URL_ENV if url else f"{where}: storage.url"
    url = url or storage.url
    if is_postgres(url):
        return StorageConfig(url=url)
    rest = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else ""
    if not rest:
        raise ConfigError(
            f"{source} must be sqlite:///path/to/file.sqlite3 or "
            f"postgresql://user@host:5432/database, got {redact(url)!r}"
        )
    return StorageConfig(url=f"sqlite:///{_resolve(base, Path(rest))}")


def _validate(config: Config, where: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    m = config.matching
    if not 0.0 <= m.answer_cutoff <= 1.0:
        raise ConfigError(
            f"{where}: matching.answer_cutoff must be between 0 and 1, got {m.answer_cutoff}"
        )
    if not 0.0 <= m.ambiguity_margin <= 1.0:
        raise ConfigError(
            f"{where}: matching.ambiguity_margin must be between 0 and 1, got {m.ambiguity_margin}"
        )
    for name in ("max_answer_sentences", "suggestions"):
        if getattr(m, name) < 1:
            raise ConfigError(f"{where}: matching.{name} must be at least 1")
    for name in (
        "max_topics",
        "min_topic_sentences",
        "summary_sentences",
        "max_facts",
        "max_quotes",
        "max_details",
        "details_per_article",
    ):
        if getattr(config.build, name) < 1:
            raise ConfigError(f"{where}: build.{name} must be at least 1")
    if not 0.0 < config.build.cluster_threshold <= 1.0:
        raise ConfigError(
            f"{where}: build.cluster_threshold must be above 0 and at most 1, "
            f"got {config.build.cluster_threshold}"
        )
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", config.digest.default_time):
        raise ConfigError(
            f"{where}: digest.default_time must be HH:MM (24-hour), got {config.digest.default_time!r}"
        )
    if config.digest.max_items_per_topic < 1:
        raise ConfigError(f"{where}: digest.max_items_per_topic must be at least 1")
    if config.digest.catch_up_minutes < 0:
        raise ConfigError(f"{where}: digest.catch_up_minutes must be 0 (never catch up) or more")
    try:
        ZoneInfo(config.digest.default_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{where}: digest.default_timezone {config.digest.default_timezone!r} is not an IANA "
            "time zone; use a name such as 'Europe/Berlin' or 'UTC'"
        ) from None
    slugs: list[str] = list(config.topics.rename)
    for merge in config.topics.merge:
        slugs += [merge.into, *merge.sources]
    slugs += [pin.slug for pin in config.topics.pin]
    for slug in slugs:
        if not SLUG_RE.match(slug):
            raise ConfigError(
                f"{where}: topics: {slug!r} is not a slug; use lowercase words joined by '-'"
            )
    for i, pin in enumerate(config.topics.pin):
        if not pin.keywords:
            raise ConfigError(f"{where}: topics.pin[{i}].keywords: give at least one keyword")
    if config.telegram.mode == "webhook" and not config.telegram.webhook.url:
        raise ConfigError(
            f"{where}: telegram.webhook.url is required when telegram.mode is 'webhook'"
        )
    if config.telegram.rate_limit.overall_per_second <= 0:
        raise ConfigError(f"{where}: telegram.rate_limit.overall_per_second must be positive")
