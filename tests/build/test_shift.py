"""A page that runs a second, headless story on after an article is cut in two; a normal
article that moves on to a subtopic is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.build.article import Article
from bot.build.clean import clean
from bot.build.read import SeedFile, read_seeds
from bot.build.segment import segment
from bot.build.shift import first_sentence_title, split_all
from bot.build.topics import _article_bag, _idf, terms
from bot.text import content_tokens

BBC = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "bbc-news"


def articles(files: list[SeedFile]) -> list[Article]:
    out = []
    for file in files:
        for raw in segment(file):
            article = clean(raw).article
            if article is not None:
                out.append(article)
    return out


def idf_of(arts: list[Article]) -> dict[str, float]:
    return _idf(
        [
            _article_bag([content_tokens(a.title), *(content_tokens(p.text) for p in a.paragraphs)])
            for a in arts
        ]
    )


def test_the_headless_story_after_the_hegseth_article_becomes_its_own_article(
    seed_files: list[SeedFile],
) -> None:
    arts = articles(seed_files)
    parts = split_all(arts, terms, idf_of(arts))
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
    assert len(split_all(arts, terms, idf_of(arts))) == len(arts)


def test_a_split_off_title_is_its_first_sentence_cut_at_a_word_boundary() -> None:
    assert first_sentence_title("Floods hit the coast. Then more.") == "Floods hit the coast"
    long = first_sentence_title(
        "The family of four refugees filled seven suitcases for their new life in America, "
        "packing blankets and tin plates."
    )
    assert long == "The family of four refugees filled seven suitcases for their new life in…"
    assert len(long) <= 80
