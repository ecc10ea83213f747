"""The briefs committed in briefs/ are valid and are exactly what the build makes from seeds/."""

from __future__ import annotations

from pathlib import Path

from bot.briefs import INDEX_FILE, load_briefs
from bot.build import build
from bot.build.write import build_settings, corpus_fingerprint, seed_files
from bot.config import load_config

ROOT = Path(__file__).resolve().parents[2]
BRIEFS = ROOT / "briefs"


def test_every_committed_brief_parses_and_is_listed_in_the_index() -> None:
    briefs = load_briefs(BRIEFS)
    assert len(briefs) >= 8
    listed = {e.file for e in briefs.index.topics} | {INDEX_FILE}
    assert {p.name for p in BRIEFS.iterdir()} == listed


def test_the_committed_briefs_are_built_from_todays_seeds() -> None:
    config = load_config(ROOT / "config.yaml", environ={})
    expected = corpus_fingerprint(seed_files(ROOT / "seeds"), build_settings(config))
    assert load_briefs(BRIEFS).index.corpus == expected, "run `briefbot build` and commit briefs/"


def test_the_committed_briefs_equal_a_fresh_build_byte_for_byte(tmp_path: Path) -> None:
    config = load_config(ROOT / "config.yaml", environ={})
    build(config, out=tmp_path / "briefs", progress=False)
    fresh = {p.name: p.read_bytes() for p in (tmp_path / "briefs").iterdir()}
    committed = {p.name: p.read_bytes() for p in BRIEFS.iterdir()}
    assert sorted(fresh) == sorted(committed), "run `briefbot build` and commit briefs/"
    changed = [name for name in fresh if fresh[name] != committed[name]]
    assert changed == [], "run `briefbot build` and commit briefs/"
