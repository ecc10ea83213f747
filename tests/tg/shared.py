"""One store shared by several replicas, on each backend: a SQLite file (one machine) and a
PostgreSQL database (tests/pg.py; skipped when PostgreSQL is not installed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from bot.subscriptions import Store


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """Where the replicas' store lives: a SQLite file's path, or a PostgreSQL URL."""
    if request.param == "sqlite":
        return tmp_path / "shared" / "briefbot.sqlite3"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def open_stores() -> Iterator[ExitStack]:
    """Stores opened with `open_store` are closed after the test."""
    with ExitStack() as stack:
        yield stack


def open_store(stack: ExitStack, url: str | Path, name: str) -> Store:
    store = Store.open(url, name=name)
    stack.callback(store.close)
    return store
