"""Stages 6-7: citations are verified, and briefs are written deterministically and atomically."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.briefs import Brief, Cited, Source, load_briefs
from bot.build.verify import verify_citations
from bot.build.write import corpus_fingerprint, render, seed_files, write_briefs
from bot.errors import BuildError

SOURCE = Source(
    id="s1",
    outlet="Arab News",
    title="North Korea troops not in combat in Russia’s Kursk since mid-Jan: Seoul",
    date="2025-02-04",
    file="seeds/003.txt",
    first_line=1,
    last_line=3,
)
LINES = {
    "seeds/003.txt": {
        1: "North Korea troops not in combat in Russia’s Kursk since mid-Jan: Seoul",
        2: "",
        3: "SEOUL: North Korean soldiers  previously fighting alongside Russia's army appear "
        "not to have been in combat since mid-January. Seoul said so on Monday.",
    }
}


def make(slug: str, text: str = "Seoul said so on Monday.", line: int = 3) -> Brief:
    return Brief(
        slug=slug,
        title="North Korean troops in Kursk",
        summary=(Cited(text=text, source="s1", line=line),),
        sources=(SOURCE,),
    )


def test_a_written_brief_loads_back_equal(tmp_path: Path) -> None:
    write_briefs([make("korea-kursk")], "abc", tmp_path / "briefs")
    loaded = load_briefs(tmp_path / "briefs")
    assert loaded.get("korea-kursk") == make("korea-kursk")
    assert loaded.index.corpus == "abc"
    assert [e.sentences for e in loaded.index.topics] == [1]


def test_the_same_briefs_give_the_same_bytes() -> None:
    assert render([make("a"), make("b")], "abc") == render([make("a"), make("b")], "abc")
    assert list(render([make("b"), make("a")], "abc")) == ["b.yaml", "a.yaml", "index.yaml"]


def test_a_new_build_replaces_the_old_one_and_stale_topics_go(tmp_path: Path) -> None:
    out = tmp_path / "briefs"
    write_briefs([make("old-topic"), make("kept")], "v1", out)
    write_briefs([make("kept")], "v2", out)
    assert sorted(p.name for p in out.iterdir()) == ["index.yaml", "kept.yaml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["briefs"]  # no temp folders left


def test_an_invalid_brief_leaves_the_previous_briefs_untouched(tmp_path: Path) -> None:
    out = tmp_path / "briefs"
    write_briefs([make("good")], "v1", out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    broken = make("bad", line=99)  # outside its source's lines: load_briefs refuses it
    with pytest.raises(BuildError, match=r"invalid brief, nothing was written: .*bad.yaml"):
        write_briefs([broken], "v2", out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["briefs"]


def test_citations_are_checked_against_the_seed_lines_after_whitespace_normalisation() -> None:
    text = "SEOUL: North Korean soldiers previously fighting alongside Russia's army appear"
    assert verify_citations([make("a", text=text)], LINES) == 1
    with pytest.raises(BuildError, match=r"a: summary\[0\] cites seeds/003.txt:1, but that line"):
        verify_citations([make("a", line=1)], LINES)
    with pytest.raises(BuildError, match=r"cites seeds/003.txt:7, which does not exist"):
        verify_citations([make("a", line=7)], LINES)


def test_the_corpus_fingerprint_changes_with_any_seed_byte_or_name(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    (seeds / "more").mkdir(parents=True)
    (seeds / "a.txt").write_text("one", encoding="utf-8")
    (seeds / "more" / "b.txt").write_text("two", encoding="utf-8")
    (seeds / "notes.md").write_text("not a seed", encoding="utf-8")
    files = seed_files(seeds)
    assert [rel for rel, _ in files] == ["seeds/a.txt", "seeds/more/b.txt"]
    first = corpus_fingerprint(files)
    assert corpus_fingerprint(seed_files(seeds)) == first
    (seeds / "a.txt").write_text("one!", encoding="utf-8")
    assert corpus_fingerprint(seed_files(seeds)) != first
