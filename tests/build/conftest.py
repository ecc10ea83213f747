"""Shared by the build's tests: the real seeds, read once, and the list of what they hold.

`seed_articles` is tests/data/seed_articles.yaml, drawn up by reading the seeds: the real
articles (file, headline line, headline, outlet, date), the noise lines and the teasers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.build.read import SeedFile, read_seeds

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def seed_files() -> list[SeedFile]:
    return read_seeds(ROOT / "seeds")


@pytest.fixture(scope="session")
def seed_articles() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (ROOT / "tests" / "data" / "seed_articles.yaml").read_text("utf-8")
    )
    return data


@pytest.fixture(scope="session")
def seed_noise(seed_articles: dict[str, Any]) -> dict[str, set[int]]:
    """File -> the numbers of its lines that hold no article text ("31-40" -> 31..40)."""
    noise: dict[str, set[int]] = {}
    for file, ranges in seed_articles["noise"].items():
        numbers = noise.setdefault(file, set())
        for item in ranges:
            first, _, last = str(item).partition("-")
            numbers.update(range(int(first), int(last or first) + 1))
    return noise
