"""A page that runs a second, headless story on after an article is cut in two; a normal
article that moves on to a subtopic is not."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import seed_page

from bot.build.article import Article
from bot.build.clean import clean
from bot.build.read import SeedFile, read_seeds
from bot.build.segment import segment
from bot.build.shift import first_sentence_title
from bot.build.topics import split_stories

BBC = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "bbc-news"


def articles(files: list[SeedFile]) -> list[Article]:
    out = []
    for file in files:
        for raw in segment(file):
            article = clean(raw).article
            if article is not None:
                out.append(article)
    return out


def test_the_headless_story_after_the_hegseth_article_becomes_its_own_article(
    seed_files: list[SeedFile],
) -> None:
    arts = articles(seed_files)
    parts = split_stories(arts)
    assert len(parts) == len(arts) + 1  # one page in the seeds runs two stories together
    hegseth = next(a for a in parts if a.title.startswith("Hegseth Says"))
    tail = parts[parts.index(hegseth) + 1]
    assert hegseth.paragraphs[-1].text == "Mr. Hegseth took no questions."
    assert tail.file == hegseth.file and tail.title_line == tail.paragraphs[0].line
    assert tail.title.startswith("The family of four refugees filled seven suitcases")
    assert all("Hegseth" not in p.text for p in tail.paragraphs)


@pytest.mark.skipif(not BBC.is_dir(), reason="the BBC corpus is not on this machine")
def test_no_bbc_article_is_split() -> None:
    arts = articles(read_seeds(BBC))
    assert len(split_stories(arts)) == len(arts)


def test_a_split_off_title_is_its_first_sentence_cut_at_a_word_boundary() -> None:
    assert first_sentence_title("Floods hit the coast. Then more.") == "Floods hit the coast"
    long = first_sentence_title(
        "The family of four refugees filled seven suitcases for their new life in America, "
        "packing blankets and tin plates."
    )
    assert long == "The family of four refugees filled seven suitcases for their new life in…"
    assert len(long) <= 80


def glued(*paths: Path) -> SeedFile:
    """One scraped page holding the given BBC articles back to back, a blank line apart."""
    return seed_page(
        "\n\n".join(p.read_text(encoding="utf-8").strip() for p in paths), "seeds/glued.txt"
    )


@pytest.mark.skipif(not BBC.is_dir(), reason="the BBC corpus is not on this machine")
def test_articles_run_back_to_back_under_sentence_case_headlines_come_apart_at_them(
    seed_files: list[SeedFile],
) -> None:
    paths = [BBC / "tech/001.txt", BBC / "business/020.txt", BBC / "entertainment/014.txt"]
    headlines = [p.read_text(encoding="utf-8").splitlines()[0].strip() for p in paths]
    page = articles([glued(*paths)])
    assert [a.title for a in page] == headlines[
        :1
    ]  # a sentence-case headline reads as a subheading
    arts = articles(seed_files) + page
    parts = [a for a in split_stories(arts) if a.file == "seeds/glued.txt"]
    assert [a.title for a in parts] == headlines
    for part, path in zip(parts, paths, strict=True):
        body = path.read_text(encoding="utf-8")
        assert all(p.text in " ".join(body.split()) for p in part.paragraphs)
        assert part.id == f"seeds/glued.txt:{part.title_line}"
        assert part.first_line == part.title_line


INK = """Ink helps drive democracy in Kyrgyzstan

The Kyrgyz election commission will mark the fingers of voters with an invisible ink.

Officials in Bishkek say the ink stops people from voting twice in the Kyrgyz election.

{heading}

{third}

{fourth}
"""


def test_a_subheading_over_more_of_the_same_story_stays_in_its_article() -> None:
    text = INK.format(
        heading="How the ink works",
        third="The ink glows under ultraviolet lamps at every polling station in Bishkek.",
        fourth="Observers say the Kyrgyz election commission bought the ink from abroad.",
    )
    arts = articles([seed_page(text)])
    assert [a.title for a in arts] == ["Ink helps drive democracy in Kyrgyzstan"]
    assert [h.text for h in arts[0].headings] == ["How the ink works"]
    assert split_stories(arts) == arts


def test_a_story_under_a_heading_that_shares_nothing_with_the_article_is_its_own() -> None:
    text = INK.format(
        heading="Oil prices fall back from highs",
        third="Crude futures fell by two dollars a barrel in New York trading on Friday.",
        fourth="Traders blamed mild winter weather for weaker demand for heating fuel.",
    )
    arts = articles([seed_page(text)])
    first, second = split_stories(arts)
    assert first.title == "Ink helps drive democracy in Kyrgyzstan" and len(first.paragraphs) == 2
    assert (second.title, second.title_line, second.id) == (
        "Oil prices fall back from highs",
        7,
        "seeds/page.txt:7",
    )
    assert [p.line for p in second.paragraphs] == [9, 11]
