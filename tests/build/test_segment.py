"""Stage 1: a seed file -> its articles (headline, outlet, date, byline, line span)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from bot.build.article import RawArticle
from bot.build.clean import clean
from bot.build.read import SeedFile, decode_lines, read_seeds
from bot.build.segment import find_date, find_outlet, segment

BBC = Path("/work/shared/corpora/bbc-news")


def page(text: str, name: str = "seeds/page.txt") -> SeedFile:
    return SeedFile(path=Path(name), rel=name, lines=decode_lines(text.encode(), name))


def spans(articles: list[RawArticle]) -> list[tuple[int, int, str]]:
    return [(a.title_line, a.lines[-1].number, a.title) for a in articles]


ONE_CLEAN_ARTICLE = """\
Ad sales boost Time Warner profit

Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn for the three months to December.

The firm, which is now one of the biggest investors in Google, benefited from sales of high-speed internet connections.

Rising costs

Time Warner's fourth quarter profits were slightly better than analysts' expectations.
"""


def test_a_file_with_one_clean_article_gives_one_article_titled_by_its_first_line() -> None:
    [article] = segment(page(ONE_CLEAN_ARTICLE, "bbc/business/001.txt"))

    assert article.title == "Ad sales boost Time Warner profit"
    assert article.title_line == 1
    assert article.file == "bbc/business/001.txt"
    # The subheading "Rising costs" sits between two paragraphs: it does not split the article.
    assert [line.number for line in article.lines] == [2, 3, 4, 5, 6, 7, 8, 9]


def test_an_indented_file_still_has_its_headline() -> None:
    indented = "\n".join("  " + line if line else "" for line in ONE_CLEAN_ARTICLE.splitlines())

    [article] = segment(page(indented))

    assert (article.title_line, article.title) == (1, "Ad sales boost Time Warner profit")


BACK_TO_BACK = """\
Ukraine Strikes Refinery Deep Inside Russia
Drones hit the plant overnight, officials said on Monday, and a fire burned for hours.
The regional governor said nobody was hurt in the attack on the refinery.
Jane Roe contributed reporting from Kyiv.
Ceasefire Talks Stall in Geneva
Ceasefire Talks Stall in Geneva
Negotiators left Geneva on Friday without an agreement on a ceasefire.
Both delegations blamed the other side for the failure, diplomats said.
Subscribe to The Times to read as many articles as you like.
John Doe contributed reporting.
Floods displaced thousands of families in the north of the country this week, aid groups said.
The United Nations appealed for $40 million in emergency aid for the region.
"""


def test_articles_back_to_back_are_split_at_headlines_and_after_credit_lines() -> None:
    articles = segment(page(BACK_TO_BACK))

    assert spans(articles) == [
        (1, 4, "Ukraine Strikes Refinery Deep Inside Russia"),
        # The headline repeated on the next line belongs to its article.
        (5, 10, "Ceasefire Talks Stall in Geneva"),
        # No headline after the credit line: the title is the article's first words.
        (
            11,
            12,
            "Floods displaced thousands of families in the north of the country this week, aid …",
        ),
    ]
    assert articles[2].lines[0].number == 11  # a made-up title keeps its line in the body
    assert [a.outlet for a in articles] == ["The New York Times"] * 3  # one site's page


NO_CREDITS = """\
How Venezuela Helps Fuel the Violence in Colombia
As two rebel groups battle for territory, more than 54,000 people have fled their homes.
Analysts point to another, newer factor helping foment the chaos in Colombia: Venezuela.
A quick end looks unlikely
The violence has crushed the president's chances at a peace deal with the rebels.
Officials in Bogotá said the army would send reinforcements to the border region.
The Hegseth Doctrine: What It Means for Europe's Defense Budgets
Europe must take more responsibility for its conventional defense, the secretary said on Wednesday.
He urged allies to spend up to 5 percent of national output on their armed forces.
"""


def test_a_title_case_headline_right_after_a_paragraph_starts_a_new_story() -> None:
    articles = segment(page(NO_CREDITS))

    # Newspapers set headlines in Title Case and subheadings in sentence case: the
    # subheading stays in its story, the Title Case headline starts the next one.
    assert [(a.title_line, a.lines[-1].number) for a in articles] == [(1, 6), (7, 9)]


TEASERS = """\
Parliament Approves New Budget After Long Night of Debate
Lawmakers approved the budget early on Wednesday after a 14-hour debate, officials said.
The budget raises defence spending by 8 percent and cuts farm subsidies.
Read the original article on Business Insider
Recommended Stories
Star striker signs record contract with rival club
The forward will earn a record salary over five seasons, the club said on Tuesday.
Today's best deals: $300 off a 65-inch TV and more
Save on headphones, air fryers and kitchenware this weekend only.
Horoscope Today: Know your zodiac predictions
  • Home
  • Sports
  • Markets
Central Bank Holds Rates Steady as Inflation Cools
The central bank kept its main rate at 4.5 percent on Thursday, citing slowing inflation.
Its governor said further cuts would depend on wage growth in the coming months.
"""


def test_teasers_with_one_blurb_or_none_never_become_articles() -> None:
    articles = segment(page(TEASERS))

    assert [a.title for a in articles] == [
        "Parliament Approves New Budget After Long Night of Debate",
        "Central Bank Holds Rates Steady as Inflation Cools",
    ]
    # The teasers stay in the first article's span, as noise for clean to drop.
    assert articles[0].lines[-1].text == "  • Markets"


def test_a_file_ending_with_a_one_paragraph_story_keeps_it() -> None:
    text = (
        "Storm closes ports in the north\n\n"
        "A storm closed three ports on Monday. Ferries were cancelled until Wednesday, the coastguard said.\n"
    )
    [article] = segment(page(text))

    assert article.title == "Storm closes ports in the north"
    # A teaser's one-sentence blurb at the end of a page is not.
    assert (
        segment(page("Star striker signs record deal\nThe forward will earn a record salary.\n"))
        == []
    )


def test_a_page_of_menus_and_teasers_holds_no_article() -> None:
    text = "  • Home\n  • World\nLatest News\nStar striker signs record deal\nActor wins award\n"

    assert segment(page(text)) == []


@pytest.mark.parametrize(
    ("lines", "outlet"),
    [
        (["More Must-Reads from TIME", "  • Some link"], "TIME"),
        (["It was a blow, a source familiar with the talks told CNN on Thursday."], "CNN"),
        (["Read the original article on Business Insider"], "Business Insider"),
        # Reprinted wire copy: the site's copyright outweighs the agency it quotes.
        (
            [
                "“Putin has a strong position,” the source told Reuters on Tuesday.",
                "© 2025 The News Singapore. All Rights Reserved.",
            ],
            "The News Singapore",
        ),
        # Named in passing is not a byline.
        (["The report, according to the BBC, was published in 2023 by the ministry."], None),
        # A photo agency in a caption is not the outlet.
        (["Sergei Karpukhin/AFP via Getty Images hide caption"], None),
    ],
)
def test_outlet_cues(lines: list[str], outlet: str | None) -> None:
    assert find_outlet(lines) == outlet


@pytest.mark.parametrize(
    ("lines", "date"),
    [
        (["Business Today Desk", "  • Updated Sep 08, 2024, 10:13 AM IST"], "2024-09-08"),
        (["Short Url", "Updated 04 February 2025", "Follow"], "2025-02-04"),
        (["Updated: Dec 4, 2025"], "2025-12-04"),
        # A correction note gives the day; the year is the latest the article mentions.
        (
            [
                "Russia invaded in 2022.",
                "Correction, July 9",
                "The 32 Most Anticipated Books of Fall 2024",
            ],
            "2024-07-09",
        ),
        (["MOSCOW — Modi met Putin on Tuesday, a week after the summit in Astana."], None),
    ],
)
def test_dates_are_iso_when_stated(lines: list[str], date: str | None) -> None:
    numbered = decode_lines("\n".join(lines).encode(), "t")
    assert find_date(list(numbered)) == date


def test_bylines_under_the_headline() -> None:
    text = (
        "Putin Plans First Visit to Mongolia Since Arrest Warrant\n"
        "The Russian president will travel to Mongolia, a member of the court, next week.\n"
        "  • Share full article\n"
        "By Eve Sampson\n"
        "President Vladimir V. Putin of Russia is scheduled to visit Mongolia next week, the Kremlin said.\n"
        "Mr. Putin plans to visit the country on Sept. 3, the Kremlin said.\n"
    )
    [article] = segment(page(text))

    assert article.byline == "Eve Sampson"


# -- the real seeds, against the list drawn up by reading them -------------------------------


def found(articles: list[RawArticle], expected: dict[str, Any]) -> RawArticle | None:
    for a in articles:
        if a.file == expected["file"] and abs(a.title_line - expected["line"]) <= 1:
            return a
    return None


def test_every_real_article_in_the_seeds_is_found(
    seed_files: list[SeedFile], seed_articles: dict[str, Any]
) -> None:
    articles = [a for f in seed_files for a in segment(f)]
    missing = []
    for expected in seed_articles["articles"]:
        article = found(articles, expected)
        if expected.get("known_miss"):
            assert article is None, "found at last: drop known_miss from seed_articles.yaml"
            continue
        if article is None:
            missing.append(f"{expected['file']}:{expected['line']}")
            continue
        if expected["title"] is not None:
            assert article.title == expected["title"]
        else:
            assert article.title.startswith(expected["opens"])
        if "outlet" in expected:
            assert article.outlet == expected["outlet"], article.title
        if "date" in expected:
            assert article.date == expected["date"], article.title
        if "byline" in expected:
            assert article.byline == expected["byline"], article.title
    assert missing == []


def test_no_teaser_and_no_noise_line_becomes_an_article(
    seed_files: list[SeedFile], seed_articles: dict[str, Any], seed_noise: dict[str, set[int]]
) -> None:
    articles = [a for f in seed_files for a in segment(f)]
    titles = {a.title for a in articles}

    assert titles.isdisjoint(seed_articles["teasers"])
    starts = {(a.file, a.title_line) for a in articles}
    assert {(f, n) for f, lines in seed_noise.items() for n in lines} & starts == set()
    assert len(articles) == sum(not a.get("known_miss") for a in seed_articles["articles"])


def test_the_seeds_segment_well_under_a_second(seed_files: list[SeedFile]) -> None:
    started = time.perf_counter()
    for file in seed_files:
        segment(file)
    assert time.perf_counter() - started < 0.5


@pytest.mark.skipif(not BBC.is_dir(), reason="the BBC corpus is not on this machine")
def test_every_bbc_file_is_one_article_titled_by_its_first_line() -> None:
    wrong = []
    for file in read_seeds(BBC):
        articles = segment(file)
        if [(a.title_line, a.title) for a in articles] != [(1, file.lines[0].text.strip())]:
            wrong.append(file.rel)
    assert wrong == []


# -- pages shaped like other sites: the cues are general, not the seeds' ---------------------

WIRE_PAGE = """\
Skip to main content
  • World
  • Business
  • Markets
Russia says it shot down 30 Ukrainian drones over border regions
By Guy Faulconbridge
3 minute read
Updated 2:10 PM GMT+1, December 4, 2025
MOSCOW, Dec 4 (Reuters) - Russia's defence ministry said on Thursday its air defences had destroyed 30 Ukrainian drones overnight over several border regions.
The governor of the Belgorod region said two people were injured when debris fell on a house.
Ukraine's military did not immediately comment on the report.
Reporting by Guy Faulconbridge; Editing by Andrew Osborn
Our Standards: The Thomson Reuters Trust Principles.
Read Next
Oil prices edge higher as traders weigh supply risks
Stocks slip as investors await central bank decision
"""

FEATURE_PAGE = """\
This article is more than 2 years old
Sudan's army and rivals agree to a week-long truce in Khartoum
The ceasefire, brokered by Saudi Arabia and the US, is due to start on Monday evening
Share on Facebook
Share on WhatsApp
A displaced family rests in a school in Port Sudan. Photograph: AFP/Getty Images
Sudan's warring parties have agreed to a seven-day ceasefire, Saudi Arabia and the United States said in a joint statement on Saturday.
Previous truces have been broken within hours, and residents of Khartoum told the Guardian they had little hope this one would hold.
Aid agencies said they needed safe corridors to reach hundreds of thousands of people trapped in the capital.
Most viewed
Premier League: five things we learned from the weekend
Ten of the best autumn walks in the Lake District
"""


def test_a_wire_story_page_gives_its_article_outlet_byline_and_date() -> None:
    [article] = segment(page(WIRE_PAGE))
    result = clean(article)

    assert (article.title_line, article.title) == (
        5,
        "Russia says it shot down 30 Ukrainian drones over border regions",
    )
    assert (article.outlet, article.byline, article.date) == (
        "Reuters",
        "Guy Faulconbridge",
        "2025-12-04",
    )
    assert result.article is not None
    assert [p.line for p in result.article.paragraphs] == [9, 10, 11]


def test_a_feature_page_drops_its_share_links_caption_and_most_viewed_list() -> None:
    [article] = segment(page(FEATURE_PAGE))
    result = clean(article)

    assert article.title == "Sudan's army and rivals agree to a week-long truce in Khartoum"
    assert article.outlet == "The Guardian"
    assert result.article is not None
    assert [p.line for p in result.article.paragraphs] == [7, 8, 9]
    assert result.dropped["prompt"] == 2
    assert result.dropped["caption"] == 1
