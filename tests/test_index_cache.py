"""The index cache beside the briefs: used only when it matches, never in place of a broken
brief, and never in the way when it is damaged or cannot be written."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from bot.briefs import load_briefs
from bot.config import Config, MatchingConfig
from bot.engine import Engine
from bot.errors import BriefError
from bot.index_cache import cache_path, load_indexed
from bot.match import MatchIndex

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "how many civilians are still in kursk?",
    "waht did hegseth say abt borders",
    "S-400",
    "brief me on india russia ties",
    "weather in paris tomorrow",
]


@pytest.fixture
def briefs(tmp_path: Path) -> Path:
    folder = tmp_path / "briefs"
    shutil.copytree(ROOT / "briefs", folder)
    return folder


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the indexes built from briefs (rather than read back)."""
    count: list[int] = []
    build = MatchIndex.build.__func__  # type: ignore[attr-defined]

    def counting(cls: type[MatchIndex], *args: object, **kwargs: object) -> MatchIndex:
        count.append(1)
        return build(cls, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(MatchIndex, "build", classmethod(counting))
    return count


def _replies(engine: Engine) -> list[tuple[str, str, float]]:
    return [(a.kind, a.text, a.confidence) for a in map(engine.ask, QUESTIONS)]


def test_a_second_load_reads_the_index_back_and_answers_the_same(
    briefs: Path, builds: list[int]
) -> None:
    config = replace(Config(), briefs=briefs)
    first = Engine.load(config)
    assert cache_path(briefs) == briefs.parent / ".briefs.index"
    assert cache_path(briefs).exists() and len(builds) == 1
    second = Engine.load(config)
    assert len(builds) == 1  # read back, not rebuilt
    fresh = Engine(load_briefs(briefs), MatchingConfig())
    assert _replies(second) == _replies(first) == _replies(fresh)
    assert second.briefs.version == fresh.briefs.version


def test_a_changed_brief_is_indexed_anew(briefs: Path, builds: list[int]) -> None:
    load_indexed(briefs)
    path = briefs / "hegseth-ukraine-pre2014.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Hegseth", "Hegsethh"), encoding="utf-8"
    )
    got, _ = load_indexed(briefs)
    assert len(builds) == 2
    assert "Hegsethh" in got.briefs["hegseth-ukraine-pre2014"].title


def test_a_broken_brief_fails_even_with_a_cache_of_the_good_one(briefs: Path) -> None:
    load_indexed(briefs)
    (briefs / "hegseth-ukraine-pre2014.yaml").write_text("slug: [unclosed", encoding="utf-8")
    with pytest.raises(BriefError, match=r"hegseth-ukraine-pre2014\.yaml"):
        load_indexed(briefs)


def test_a_damaged_cache_is_ignored_and_written_anew(briefs: Path, builds: list[int]) -> None:
    load_indexed(briefs)
    path = cache_path(briefs)
    key, _, body = path.read_bytes().partition(b"\n")
    path.write_bytes(key + b"\n" + body[: len(body) // 2])  # truncated, right key
    _, index = load_indexed(briefs)
    assert len(builds) == 2 and len(index.sentences) > 0
    load_indexed(briefs)
    assert len(builds) == 2  # the rewritten file is good


def test_a_cache_that_cannot_be_written_is_no_error(briefs: Path, builds: list[int]) -> None:
    cache_path(briefs).mkdir()  # a folder where the file would go
    for _ in range(2):
        got, _ = load_indexed(briefs)
        assert len(got.briefs) == len(load_briefs(briefs).briefs)
    assert len(builds) == 2
    assert not list(briefs.parent.glob("*.tmp"))
