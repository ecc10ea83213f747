"""A page saved as Markdown is read as the text a reader sees; plain-text seeds are untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import seed_page

from bot.briefs import load_briefs
from bot.build import build
from bot.build.markdown import is_markdown, plain, text_of
from bot.build.read import SeedFile
from bot.config import BuildConfig, Config


@pytest.mark.parametrize(
    ("line", "text"),
    [
        ("# Reboot ordered for EU patent law", "Reboot ordered for EU patent law"),
        ("### Lost spark ###", "Lost spark"),
        (
            'The [European Parliament](https://europarl.europa.eu/ "EP") voted on Monday.',
            "The European Parliament voted on Monday.",
        ),
        ("Shares in [Elan][1] plunged.", "Shares in Elan plunged."),
        ("![Dustin Hoffman at the premiere](https://x.example/a.jpg)", ""),
        (
            "The deal is **not** done, *yet*, said _Mr Brown_.",
            "The deal is not done, yet, said Mr Brown.",
        ),
        ("> “We are not selling,” he said.", "“We are not selling,” he said."),
        ("[Home](/) | [World](/world) · [Business](/business)", ""),
        ("[Share on Twitter](https://twitter.com/share)", ""),
        ("* * *", ""),
        ("[1]: https://x.example/elan", ""),
        (
            "A snake_case_name and 2*3*4 stay as they are.",
            "A snake_case_name and 2*3*4 stay as they are.",
        ),
    ],
)
def test_a_markdown_line_reads_as_its_text(line: str, text: str) -> None:
    assert text_of(line) == text


def test_the_seeds_are_not_markdown(seed_files: list[SeedFile]) -> None:
    for file in seed_files:
        assert not is_markdown(file.lines)
        assert plain(file) is file


def test_footnote_marks_and_a_hashtag_do_not_make_a_page_markdown() -> None:
    text = "\n".join(
        [
            "#Budget2005 trended all day.",
            "The minister spoke for an hour.[1][2]",
            "Growth was revised up to 3%.[3]",
            "[Photo] The minister at the despatch box.",
            "Critics said the sums did not add up.[4][5]",
        ]
    )
    assert not is_markdown(seed_page(text).lines)


def test_a_line_of_markup_alone_goes_with_the_blank_after_it_and_numbers_stay() -> None:
    text = "\n".join(
        [
            "[Home](/) | [World](/world)",
            "",
            "# Reboot ordered for EU patent law",
            "",
            "![A committee room](https://x.example/a.jpg)",
            "",
            "A European Parliament committee has ordered a rewrite of the proposals.",
        ]
    )
    lines = plain(seed_page(text)).lines
    assert [(line.number, line.text) for line in lines] == [
        (3, "Reboot ordered for EU patent law"),
        (4, ""),
        (7, "A European Parliament committee has ordered a rewrite of the proposals."),
    ]


def test_a_markdown_page_of_two_stories_builds_two_cited_briefs(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    stories = [
        (
            "Reboot ordered for EU patent law",
            [
                "A [European Parliament](https://europarl.europa.eu/) committee has ordered a "
                "rewrite of the proposals for new rules which govern computer-based inventions.",
                "The draft law suffered setbacks when Poland rejected its adoption twice in two "
                "months, and its critics say it favours large firms over small software makers.",
                "The committee's chairman said the **whole** directive should be submitted "
                "again, and the Commission has until the summer to answer the committee.",
            ],
        ),
        (
            "Egypt to sell off state-owned bank",
            [
                "The Egyptian government is planning to privatise one of the country's big "
                "public banks, the Bank of Alexandria, according to the finance minister.",
                "Cairo hopes the sale will raise billions of pounds for the treasury and draw "
                "foreign investors back to the Egyptian banking sector after years of decline.",
                "Bankers in Cairo said the *sale* of the bank could be finished within a year if "
                "the government moves quickly on the law that the privatisation needs.",
            ],
        ),
    ]
    chunks = ["[Home](/) | [Business](/business)"]
    for headline, paragraphs in stories:
        chunks += [f"# {headline}", "![Photo](https://x.example/p.jpg)", *paragraphs]
        chunks.append("[Share on Twitter](https://twitter.com/share)")
    (seeds / "page.txt").write_text("\n\n".join(chunks) + "\n", encoding="utf-8")
    config = Config(
        seeds=seeds, briefs=tmp_path / "briefs", build=BuildConfig(min_topic_sentences=2)
    )
    build(config, progress=False)
    briefs = load_briefs(tmp_path / "briefs").briefs.values()
    assert sorted(s.title for b in briefs for s in b.sources) == sorted(h for h, _ in stories)
    cited = [item.text for b in briefs for item in b.cited()]
    assert cited and not any("](" in t or "**" in t or "*sale*" in t for t in cited)


BBC = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "bbc-news"


@pytest.mark.skipif(not BBC.is_dir(), reason="the BBC corpus is not on this machine")
def test_no_bbc_file_is_taken_for_markdown() -> None:
    from bot.build.read import read_seeds

    assert [f.rel for f in read_seeds(BBC) if is_markdown(f.lines)] == []
