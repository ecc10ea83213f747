"""Stage 2: only article text is kept; everything else is dropped and counted by reason."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.build.article import Line, RawArticle
from bot.build.clean import clean
from bot.build.read import SeedFile
from bot.build.segment import segment


def raw(*texts: str, title: str = "Ceasefire Talks Stall in Geneva") -> RawArticle:
    """An article whose headline is line 1 and whose body lines follow from line 2."""
    return RawArticle(
        file="seeds/t.txt",
        title=title,
        title_line=1,
        outlet=None,
        date=None,
        byline=None,
        lines=tuple(Line(number=n, text=t) for n, t in enumerate(texts, start=2)),
    )


def kept(result: Any) -> list[tuple[int, str]]:
    return [(p.line, p.text) for p in result.article.paragraphs]


def test_paragraphs_are_kept_verbatim_with_whitespace_folded() -> None:
    result = clean(
        raw(
            "Ceasefire Talks Stall in Geneva",
            "Negotiators  left Geneva on Friday\u00a0without an agreement.  ",
            "",
            "  • Both delegations blamed the other side for the failure, diplomats said.",
        )
    )

    assert kept(result) == [
        (3, "Negotiators left Geneva on Friday without an agreement."),
        # A highlight bullet keeps its sentence; the bullet mark goes, so it is still in the line.
        (5, "Both delegations blamed the other side for the failure, diplomats said."),
    ]
    assert result.dropped == {"headline": 1}  # the headline repeated under itself
    article = result.article
    assert (article.id, article.first_line, article.last_line) == ("seeds/t.txt:1", 1, 5)


def test_page_furniture_is_dropped_by_reason() -> None:
    result = clean(
        raw(
            "Negotiators left Geneva on Friday without an agreement, officials said.",
            "Advertisement",
            "SKIP ADVERTISEMENT",
            "putin india visit",
            "Subscribe to The Times to read as many articles as you like.",
            "Newsletter | Click to get the day’s best explainers in your inbox",
            "Ceasefire negotiators arrive at the palace, left, on Friday. Fabrice Coffrini/AFP via Getty Images hide caption",
            "By Jane Roe",
            "Updated 04 February 2025",
            "What the delegations want",
            "Both delegations blamed the other side for the failure, diplomats said.",
            "Jane Roe contributed reporting from Geneva.",
        )
    )

    assert [line for line, _ in kept(result)] == [2, 12]
    assert result.dropped == {
        "advertisement": 2,
        "alt text": 1,
        "prompt": 2,
        "caption": 1,
        "byline": 1,
        "metadata": 1,
        "heading": 1,
        "credit": 1,
    }


def test_everything_after_the_credit_line_is_another_story() -> None:
    result = clean(
        raw(
            "Negotiators left Geneva on Friday without an agreement, officials said.",
            "Both delegations blamed the other side for the failure, diplomats said.",
            "Read the original article on Business Insider",
            "Recommended Stories",
            "Star striker signs record contract with rival club",
            "The forward will earn a record salary over five seasons, the club said on Tuesday.",
            "Horoscope Today: Know your zodiac predictions",
            "Your lucky colour this week is green, and money news is on the way.",
        )
    )

    assert [line for line, _ in kept(result)] == [2, 3]
    assert result.dropped == {"credit": 1, "related": 1, "teaser": 4}


def test_after_a_menu_a_lone_blurb_is_a_teaser() -> None:
    result = clean(
        raw(
            "Negotiators left Geneva on Friday without an agreement, officials said.",
            "  • Explained Global",
            "  • Express Explained",
            "Producer Dilli Babu no more",
            "Noted Tamil film producer Dilli Babu passed away at the age of 50 in Chennai.",
            "Indianexpress",
        )
    )

    assert [line for line, _ in kept(result)] == [2]
    assert result.dropped == {"menu": 2, "heading": 1, "teaser": 1, "fragment": 1}


SENTENCED = (
    "The singer was sentenced on Friday after pleading no contest, the court said.",
    "- Spend three years on probation",
    "- Pay a $1,000 fine",
    "In the drugs case, she was sentenced to 18 months probation, to run concurrently.",
    "Her lawyer said she would comply with every condition of the sentence.",
)


def test_a_list_of_short_points_inside_an_article_does_not_end_it() -> None:
    result = clean(raw(*SENTENCED))

    assert [line for line, _ in kept(result)] == [2, 5, 6]
    assert result.dropped == {"menu": 2}
    # The article's last paragraph, alone after the list, is its own too.
    assert [line for line, _ in kept(clean(raw(*SENTENCED[:4])))] == [2, 5]


def test_under_a_list_heading_single_blurbs_are_teasers_but_the_article_may_go_on() -> None:
    result = clean(
        raw(
            "Negotiators left Geneva on Friday without an agreement, officials said.",
            "Trump Administration: Live Updates",
            "- House Democrats call for an investigation of top Justice Department officials.",
            "- Eight inspectors general fired by Trump file lawsuit seeking reinstatement.",
            "Last month, the envoy singled out a $45 million scholarship program for elimination.",
            "“We also blocked $45 million from diversity scholarships,” the envoy said.",
        )
    )

    assert [line for line, _ in kept(result)] == [2, 6, 7]
    assert result.dropped == {"related": 1, "teaser": 2}


def test_shopping_blurbs_are_teasers_but_money_in_the_news_is_not() -> None:
    result = clean(
        raw(
            "The deal, worth more than $5bn, was signed in 2018, and deliveries have begun.",
            "Today's best sales: $300 for a 65-inch TV, $100 off Sony headphones and more.",
            "U.S. defense sales to India now approach $25 billion a year, up from almost nothing.",
            "Best deals this weekend: a cast iron Dutch oven and an air fryer for your home.",
        )
    )

    assert [line for line, _ in kept(result)] == [2, 4]
    assert result.dropped == {"teaser": 2}


def test_a_caption_repeated_with_its_credit_is_dropped_twice() -> None:
    caption = "Putin and Modi take a walk at the Novo-Ogaryovo state residence, outside Moscow, on July 8."
    result = clean(
        raw(
            caption,
            "",
            caption + " Sergei Karpukhin/AFP via Getty Images hide caption",
            "MOSCOW — Indian Prime Minister Narendra Modi is in Moscow for a two-day visit.",
        )
    )

    assert [line for line, _ in kept(result)] == [5]
    assert result.dropped == {"caption": 2}


def test_a_page_that_is_only_a_menu_is_not_an_article() -> None:
    result = clean(raw("  • World", "  • Sports", "  • Business", "Mutual funds.", title="Markets"))

    assert result.article is None
    assert result.dropped == {"menu": 3, "fragment": 1}


def test_a_robot_wall_is_not_text() -> None:
    result = clean(
        raw(
            "Negotiators left Geneva on Friday without an agreement, officials said.",
            "We've detected unusual activity from your computer network",
            "To continue, please click the box below to let us know you're not a robot.",
            "Please make sure your browser supports JavaScript and cookies and that you are not blocking them from loading.",
        )
    )

    assert [line for line, _ in kept(result)] == [2]
    assert result.dropped == {"robot wall": 3}


# -- the real seeds, against the list drawn up by reading them -------------------------------


def cleaned(seed_files: list[SeedFile]) -> list[Any]:
    return [clean(raw) for file in seed_files for raw in segment(file)]


def test_no_listed_noise_line_is_kept(
    seed_files: list[SeedFile], seed_noise: dict[str, set[int]]
) -> None:
    kept_noise = [
        f"{r.article.file}:{p.line} {p.text[:60]}"
        for r in cleaned(seed_files)
        if r.article is not None
        for p in r.article.paragraphs
        if p.line in seed_noise.get(r.article.file, set())
    ]
    assert kept_noise == []


def test_every_kept_paragraph_is_found_in_its_seed_line(seed_files: list[SeedFile]) -> None:
    lines = {
        (f.rel, line.number): " ".join(line.text.split()) for f in seed_files for line in f.lines
    }
    for result in cleaned(seed_files):
        if result.article is not None:
            for p in result.article.paragraphs:
                assert p.text in lines[(result.article.file, p.line)]


def test_every_real_article_keeps_text_and_no_teaser_survives(
    seed_files: list[SeedFile], seed_articles: dict[str, Any]
) -> None:
    articles = [r.article for r in cleaned(seed_files) if r.article is not None]
    by_place = {(a.file, a.title_line): a for a in articles}

    for expected in seed_articles["articles"]:
        if expected.get("known_miss"):
            continue
        article = by_place[(expected["file"], expected["line"])]
        assert len(article.paragraphs) >= 2, article.title
    kept_text = {p.text for a in articles for p in a.paragraphs}
    titles = {a.title for a in articles}
    for teaser in seed_articles["teasers"]:
        assert teaser not in titles
        assert not any(t.startswith(teaser) for t in kept_text), teaser


def test_in_the_scraped_search_page_most_lines_are_dropped(seed_files: list[SeedFile]) -> None:
    [page] = [f for f in seed_files if f.rel.startswith("seeds/001_")]
    results = [clean(raw) for raw in segment(page)]
    kept_lines = sum(len(r.article.paragraphs) for r in results if r.article is not None)
    dropped = sum(sum(r.dropped.values()) for r in results)

    assert dropped > kept_lines
    # Each line is counted once: kept, dropped, or the headline it is.
    text_lines = sum(1 for line in page.lines if line.text.strip())
    assert kept_lines + dropped <= text_lines


def test_the_seeds_clean_well_under_a_second(seed_files: list[SeedFile]) -> None:
    raws = [raw for file in seed_files for raw in segment(file)]
    started = time.perf_counter()
    for r in raws:
        clean(r)
    assert time.perf_counter() - started < 0.5


# -- properties on any page ----------------------------------------------------------------

_POOL = [
    "",
    "",
    "Ceasefire Talks Stall in Geneva",
    "UKRAINE SET TO LOSE FOOTHOLD IN RUSSIA’S KURSK REGION",
    "Negotiators left Geneva on Friday without an agreement, officials said.",
    "“We are expecting Bakhmut 2.0,” said Hades, the Russian commander serving in Akhmat.",
    "Both delegations blamed the other side for the failure, diplomats said.",
    "  • Home",
    "  • Markets",
    "  • Despite pressure from Western allies, India has refused to isolate Russia over the war.",
    "putin india visit",
    "Advertisement",
    "Recommended Stories",
    "Jane Roe contributed reporting.",
    "© 2025 The News Singapore. All Rights Reserved.",
    "Updated 04 February 2025",
    "By Eve Sampson",
    "\t \u00a0",
]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(_POOL), st.text(max_size=80).map(lambda t: t.replace("\n", " "))),
        max_size=40,
    )
)
def test_any_page_segments_and_cleans_into_text_found_in_its_lines(texts: list[str]) -> None:
    lines = tuple(Line(number=n, text=t.replace("\r", " ")) for n, t in enumerate(texts, start=1))
    file = SeedFile(path=Path("p.txt"), rel="seeds/p.txt", lines=lines)
    line_text = {line.number: " ".join(line.text.split()) for line in file.lines}

    previous_end = 0
    for raw in segment(file):
        assert raw.title.strip()
        assert raw.title_line > previous_end  # in order, never overlapping
        numbers = [line.number for line in raw.lines]
        assert numbers == sorted(numbers)
        previous_end = max([raw.title_line, *numbers])
        result = clean(raw)
        if result.article is None:
            continue
        for p in result.article.paragraphs:
            assert p.text and p.text in line_text[p.line]
