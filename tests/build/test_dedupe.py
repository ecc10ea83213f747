"""Stage 3: a paragraph or article found in several places is kept once, at its first place."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from factories import make_article
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.build.article import Article
from bot.build.clean import clean
from bot.build.dedupe import dedupe, same_text_key
from bot.build.read import SeedFile, read_seeds
from bot.build.segment import segment

BBC = Path("/work/shared/corpora/bbc-news")

SUMMIT = "Putin, who has not travelled much outside Russia during the pandemic, is making the trip to Delhi at a time when the pandemic is still raging in his country."
DEAL = "The deal, worth more than $5bn, was signed in 2018, and deliveries have reportedly begun, but it threatens to upend the burgeoning relationship between New Delhi and Washington."
SANCTIONS = "The US has threatened sanctions under a law aimed at reining in Russia, and the State Department said last week that no decisions had been made on a waiver."


def article(file: str, line: int, *texts: str, title: str = "Putin visits India") -> Article:
    return make_article(file, texts, title=title, line=line)


def test_a_repeated_paragraph_is_kept_at_its_first_place_with_the_others_remembered() -> None:
    first = article("seeds/a.txt", 10, SUMMIT, DEAL)
    copy = article(
        "seeds/b.txt",
        1,
        "A different opening paragraph about the summit and its agenda, officials said.",
        DEAL,
    )

    result = dedupe([copy, first])  # any order in, sorted file/line order out

    assert [a.id for a in result.articles] == ["seeds/a.txt:10", "seeds/b.txt:1"]
    a, b = result.articles
    assert a.paragraphs[1].also == ("seeds/b.txt:3",)
    assert [p.line for p in b.paragraphs] == [2]
    assert result.merged == 1


@pytest.mark.parametrize(
    "variant",
    [
        "  " + SUMMIT.replace(" ", "  "),  # whitespace
        SUMMIT.replace(",", "").replace(".", "!"),  # punctuation
        SUMMIT.upper(),  # case
        SUMMIT[:90] + "..",  # a teaser cut short
        SUMMIT[:100] + "…",
        DEAL.replace("more than $5bn", "over $5 billion"),  # a syndicated copy, words changed
    ],
)
def test_near_duplicates_count(variant: str) -> None:
    original = SUMMIT if "deal" not in variant.lower() else DEAL
    result = dedupe(
        [
            article("seeds/a.txt", 1, original, SANCTIONS),
            article("seeds/z.txt", 1, SANCTIONS.replace("last week", "on Friday"), variant),
        ]
    )

    assert result.articles[0].paragraphs[0].also == ("seeds/z.txt:3",)


def test_different_paragraphs_on_one_story_are_both_kept() -> None:
    result = dedupe([article("seeds/a.txt", 1, SUMMIT, DEAL, SANCTIONS)])

    assert len(result.articles[0].paragraphs) == 3
    assert result.merged == 0


def test_short_paragraphs_must_match_exactly() -> None:
    result = dedupe(
        [
            article("seeds/a.txt", 1, "“I have no hope,” she said.", SUMMIT),
            article("seeds/b.txt", 1, "“I have some hope,” she said.", DEAL),
        ]
    )

    assert result.merged == 0


def test_an_article_with_nothing_left_is_merged_into_the_one_it_copies() -> None:
    original = article("seeds/a.txt", 1, SUMMIT, DEAL, SANCTIONS)
    syndicated = article("seeds/b.txt", 40, SUMMIT, DEAL + "..", title="Putin lands in Delhi")

    result = dedupe([original, syndicated])

    assert [a.id for a in result.articles] == ["seeds/a.txt:1"]
    kept = result.articles[0]
    assert kept.also == ("seeds/b.txt:40",)
    assert [p.also for p in kept.paragraphs] == [("seeds/b.txt:41",), ("seeds/b.txt:42",), ()]
    assert result.merged == 2


def test_the_key_ignores_case_punctuation_and_a_trailing_cut() -> None:
    assert (
        same_text_key("“Putin,” he said…")
        == same_text_key("putin he SAID.")
        == ("putin", "he", "said")
    )


# -- the real seeds -----------------------------------------------------------------------


def test_the_seeds_syndicated_copies_are_folded(seed_files: list[SeedFile]) -> None:
    articles = [r.article for f in seed_files for raw in segment(f) if (r := clean(raw)).article]
    result = dedupe(articles)
    by_id = {a.id: a for a in result.articles}

    # Firstpost's page (001:263) ends with the agency story of 001:200, paragraph for paragraph.
    agency = by_id["seeds/001_779b2a8a156a4e38.txt:200"]
    folded = {place for p in agency.paragraphs for place in p.also}
    assert (
        "seeds/001_779b2a8a156a4e38.txt:361" in folded
    )  # “special and privileged strategic partnership”
    assert "seeds/001_779b2a8a156a4e38.txt:385" in folded  # the S-400 quote
    firstpost = by_id["seeds/001_779b2a8a156a4e38.txt:263"]
    assert all(p.line < 361 for p in firstpost.paragraphs)
    # Arab News sets two quotes as highlight bullets above the paragraphs they come from.
    seoul = by_id["seeds/003_ca84f9757404aab9.txt:1"]
    assert [p.also for p in seoul.paragraphs[:2]] == [
        ("seeds/003_ca84f9757404aab9.txt:14",),
        ("seeds/003_ca84f9757404aab9.txt:15",),
    ]
    # Nothing is kept twice.
    keys = [same_text_key(p.text) for a in result.articles for p in a.paragraphs]
    assert len(keys) == len(set(keys))


@pytest.mark.skipif(not BBC.is_dir(), reason="the BBC corpus is not on this machine")
def test_read_segment_clean_dedupe_take_a_few_seconds_on_the_bbc_corpus() -> None:
    started = time.perf_counter()
    articles = [
        r.article for f in read_seeds(BBC) for raw in segment(f) if (r := clean(raw)).article
    ]
    result = dedupe(articles)
    elapsed = time.perf_counter() - started

    assert len(articles) == 1297
    # The BBC sample holds whole articles twice (business/007 and business/253, ...).
    assert (
        "bbc-news/business/253.txt:1"
        in next(a for a in result.articles if a.id == "bbc-news/business/007.txt:1").also
    )
    assert elapsed < 10


_SENTENCES = [
    SUMMIT,
    DEAL,
    SANCTIONS,
    SUMMIT[:80] + "...",
    DEAL.upper(),
    "“I have no hope,” she said.",
]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_SENTENCES), min_size=1, max_size=5), max_size=6))
def test_every_place_is_kept_or_remembered_and_a_second_pass_merges_nothing(
    bodies: list[list[str]],
) -> None:
    articles = [article(f"seeds/{k:02d}.txt", 1, *texts) for k, texts in enumerate(bodies)]
    result = dedupe(articles)

    places = {f"{a.file}:{p.line}" for a in articles for p in a.paragraphs}
    kept = {f"{a.file}:{p.line}" for a in result.articles for p in a.paragraphs}
    remembered = [place for a in result.articles for p in a.paragraphs for place in p.also]
    assert kept | set(remembered) == places
    assert len(kept) + len(remembered) == len(places)
    assert result.merged == len(remembered)
    assert dedupe(result.articles).merged == 0
