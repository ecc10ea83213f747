"""A page saved as text wrapped at a fixed width is read one paragraph a line; the seeds and
the BBC files, one paragraph a line already, are read as they are."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from factories import seed_page

from bot.briefs import load_briefs
from bot.build import build
from bot.build.read import SeedFile, read_seeds
from bot.build.unwrap import unwrap, wrap_width
from bot.config import Config

BBC = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "bbc-news"

NEESON = [
    "Neeson in bid to revive theatre",
    "Hollywood film star Liam Neeson has held a dinner party in New York to promote Belfast's "
    "Lyric Theatre.",
    'The Ballymena-born actor said that the theatre on Ridgeway Street was in a "very '
    'dilapidated condition". Lyric chairman David Johnston has said that rebuilding the '
    "theatre, at a cost of £8m is the only answer.",
    'Mr Neeson said that the idea was to get a bunch of "healthy, wealthy Irish Americans" in '
    "one room and ask them to help with fundraising. The Lyric launched the careers of Adrian "
    "Dunbar and Stephen Rea and of playwrights such as Martin Lynch and Gary Mitchell.",
    "The theatre's board hopes to raise the money over the next two years, and work on the new "
    "building could start as early as next spring if the fundraising goes to plan.",
]


def wrapped(paragraphs: list[str], width: int, between: str = "\n\n") -> str:
    return between.join("\n".join(textwrap.wrap(p, width)) for p in paragraphs)


@pytest.mark.parametrize("width", [64, 72, 78, 80])
def test_a_wrapped_page_is_read_one_paragraph_a_line_numbered_where_each_starts(
    width: int,
) -> None:
    text = wrapped(NEESON, width)
    file = seed_page(text)
    assert wrap_width(file.lines) is not None
    lines = [line for line in unwrap(file).lines if line.text]
    assert [line.text for line in lines] == NEESON
    starts = [
        n
        for n, t in enumerate(text.split("\n"), start=1)
        if t and (n == 1 or not text.split("\n")[n - 2])
    ]
    assert [line.number for line in lines] == starts


def test_without_blank_lines_a_line_with_room_to_spare_ends_its_paragraph() -> None:
    lines = unwrap(seed_page(wrapped(NEESON, 72, between="\n"))).lines
    assert [line.text for line in lines] == NEESON


def test_a_bullet_keeps_its_hanging_lines_and_a_line_set_in_starts_its_own() -> None:
    bullet = textwrap.wrap(
        "- the theatre needs a new roof, new seats and new dressing rooms before the season "
        "that starts in the autumn",
        72,
        subsequent_indent="  ",
    )
    quotation = textwrap.wrap(
        "A quotation set in by four spaces, as some pages print a long one, goes on here.",
        72,
        initial_indent="    ",
        subsequent_indent="    ",
    )
    text = "\n".join([wrapped(NEESON, 72), *bullet, *quotation, *textwrap.wrap(NEESON[4], 72)])
    out = [line.text for line in unwrap(seed_page(text)).lines if line.text]
    assert out == [
        *NEESON,
        "- the theatre needs a new roof, new seats and new dressing rooms before the season "
        "that starts in the autumn",
        "    A quotation set in by four spaces, as some pages print a long one, goes on here.",
        NEESON[4],
    ]


def test_a_word_broken_at_its_hyphen_is_one_word_again() -> None:
    broken = [
        "The actor, who was born in Ballymena and who trained at the Lyric in the well-",
        "known Belfast suburb, said it had been his second home.",
    ]
    text = "\n".join([wrapped(NEESON, 78), "", *broken, "", *textwrap.wrap(NEESON[4], 78)])
    out = [line.text for line in unwrap(seed_page(text)).lines if line.text]
    assert out == [
        *NEESON,
        "The actor, who was born in Ballymena and who trained at the Lyric in the well-known "
        "Belfast suburb, said it had been his second home.",
        NEESON[4],
    ]


def test_the_seeds_are_read_as_they_are(seed_files: list[SeedFile]) -> None:
    for file in seed_files:
        assert wrap_width(file.lines) is None
        assert unwrap(file) is file


@pytest.mark.skipif(not BBC.is_dir(), reason="the BBC corpus is not on this machine")
def test_no_bbc_file_is_taken_for_a_wrapped_one() -> None:
    assert [f.rel for f in read_seeds(BBC) if wrap_width(f.lines) is not None] == []


def test_a_wrapped_seed_builds_briefs_citing_the_line_each_paragraph_starts_on(
    tmp_path: Path,
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    text = wrapped(NEESON, 72)
    (seeds / "neeson.txt").write_text(text + "\n", encoding="utf-8")
    build(Config(seeds=seeds, briefs=tmp_path / "briefs"), progress=False)
    (brief,) = load_briefs(tmp_path / "briefs").briefs.values()
    physical = text.split("\n")
    cost = next(i for i in brief.cited() if "£8m" in i.text)
    assert cost.text.startswith("Lyric chairman David Johnston")
    assert physical[cost.line - 1].startswith(
        "The Ballymena-born actor"
    )  # where its paragraph starts
