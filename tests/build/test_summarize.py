"""Stage 5: a brief is made only of the topic's own sentences, each cited, deterministically."""

from __future__ import annotations

import pytest

from bot.briefs import Brief
from bot.build.article import Article, Paragraph
from bot.build.extract import fact_kind, find_date, find_quote, names
from bot.build.sentences import split_sentences
from bot.build.summarize import SummaryOptions, summarize
from bot.build.topics import Passage, Topic
from bot.config import BuildConfig
from bot.errors import BuildError

KURSK = Article(
    id="seeds/000.txt:1",
    file="seeds/000.txt",
    title="The Fiercest Fighting of the Ukraine War May Be in Russia",
    title_line=1,
    outlet="The New York Times",
    date="2025-02-10",
    byline=None,
    first_line=1,
    last_line=9,
    paragraphs=tuple(
        Paragraph(line=n, text=t)
        for n, t in [
            (2, "Russian soldiers are locked in a fierce battle to reclaim all of the Kursk region from the Ukrainian Army."),
            (3, "Both sides view control of Kursk as a crucial element in expected peace talks promised by President Trump."),
            (4, "Many residents of the region were forced to flee. An estimated 2,000 to 3,000 Russian civilians remain."),
            (5, "“We are expecting Bakhmut 2.0,” said Hades, the Russian commander serving in Akhmat, which is made up of Wagner veterans."),
            (6, "Zoya, 64, described the soldiers who occupied her village, Pogrebki, on Aug. 12. She said they were polite at first."),
            (7, "Earlier in February, a missile hit Sudzha’s boarding school, which sheltered about 100 people displaced from the villages."),
            (8, "Advertisement"),
            (9, "Constant Méheut contributed reporting from Kyiv."),
        ]
    ),
)  # fmt: skip
TOPIC = Topic(
    slug="kursk-sudzha-civilians",
    title=KURSK.title,
    passages=tuple(Passage(article=KURSK, paragraph=p) for p in KURSK.paragraphs),
    terms=("kursk", "sudzha", "civilians"),
)
OPTIONS = SummaryOptions.from_config(BuildConfig(summary_sentences=3))


def brief() -> Brief:
    return summarize(TOPIC, {}, OPTIONS)


def test_every_item_is_a_verbatim_sentence_of_the_line_it_cites() -> None:
    b = brief()
    lines = {p.line: p.text for p in KURSK.paragraphs}
    items = list(b.cited())
    assert len(items) == 8  # every informative sentence, each once
    for item in items:
        assert item.text in lines[item.line]
        assert b.source(item.source).file == "seeds/000.txt"


def test_boilerplate_and_fragments_are_never_cited() -> None:
    texts = " ".join(item.text for item in brief().cited())
    assert "Advertisement" not in texts
    assert "contributed reporting" not in texts


def test_the_summary_is_short_central_and_in_reading_order() -> None:
    summary = brief().summary
    assert len(summary) == 3
    assert [s.line for s in summary] == sorted(s.line for s in summary)
    assert any("Kursk" in s.text for s in summary)


def test_sections_hold_what_their_names_say() -> None:
    b = brief()
    assert [(q.speaker, q.quote) for q in b.quotes] == [("Hades", "We are expecting Bakhmut 2.0")]
    assert [(e.date, e.line) for e in b.timeline] == [("2024-08-12", 6), ("2025-02", 7)]
    assert {f.kind for f in b.facts} <= {"number", "date", "decision"}
    assert "Hades" in b.people
    assert "Kursk" in b.places
    assert b.keywords[:3] == ("kursk", "sudzha", "civilians")
    # Candidates, in order; the build keeps those the engine answers (bot.build.askable).
    assert b.questions == (
        "What is happening with Kursk and Sudzha?",
        "What did Hades say about Kursk?",
        "What did Hades say?",
        "Who is Hades?",
    )


def test_the_source_carries_outlet_headline_date_and_span() -> None:
    (source,) = brief().sources
    assert (source.id, source.outlet, source.title, source.date) == (
        "s1",
        "The New York Times",
        KURSK.title,
        "2025-02-10",
    )
    assert (source.first_line, source.last_line) == (1, 9)


def test_two_runs_give_equal_briefs() -> None:
    assert brief() == brief()


def test_sentences_split_without_breaking_names_abbreviations_or_quotes() -> None:
    text = (
        "President Vladimir V. Putin met Mr. Trump in the U.S. capital on Jan. 10. He said no. "
        "“I’m sorry. I wish I could,” said his sister. It ended."
    )
    assert split_sentences(text) == [
        "President Vladimir V. Putin met Mr. Trump in the U.S. capital on Jan. 10.",
        "He said no.",
        "“I’m sorry. I wish I could,” said his sister.",
        "It ended.",
    ]


def test_quotes_need_a_named_speaker() -> None:
    q = find_quote(
        "Ukrainians “wanted to conduct the talks from a position of strength,” Lt. Gen. Apti "
        "Alaudinov, the commander of the unit, said in an interview."
    )
    assert q is not None
    assert (q.speaker, q.quote) == (
        "Lt. Gen. Apti Alaudinov",
        "wanted to conduct the talks from a position of strength",
    )
    assert find_quote("“They were really nice lads,” she said.") is None
    assert find_quote("Putin replied: “I am grateful to you for your attention.”") is not None


def test_dates_facts_and_names() -> None:
    assert find_date("He visited on July 8, 2024, for talks.", None) == "2024-07-08"
    assert find_date("In December 2021 he came.", None) == "2021-12"
    assert find_date("It happened in November.", "2025-02-10") == "2024-11"
    assert find_date("It happened in November.", None) is None
    assert find_date("Sales may rise.", "2025-02-10") is None
    assert fact_kind("The attack killed at least four people.") == "number"
    assert fact_kind("India and Russia signed 28 agreements.") == "decision"
    assert fact_kind("The talks began in March 2024.") == "date"
    assert fact_kind("The talks began on Monday.") == "statement"  # too vague to be a key fact
    assert fact_kind("The two leaders were friendly.") == "statement"
    people, places = names(
        [
            "Prime Minister Narendra Modi flew to Moscow to meet President Vladimir Putin.",
            "Narendra Modi left Moscow, Business Insider reported.",
        ],
        ["Mr. Kwatra"],
    )
    assert people == ["Narendra Modi", "Kwatra", "Vladimir Putin"]
    assert places == ["Moscow"]


def test_a_summary_stays_on_the_story_its_headline_announces() -> None:
    lines = [
        "Defense Secretary Hegseth said a return to Ukraine’s old borders is unrealistic.",
        "Hegseth told NATO ministers that Europe must pay for most of Ukraine’s defense.",
        "hegseth said that nato membership for ukraine was not part of a realistic peace plan.",
        "Aid groups working with Myanmar refugees in Thailand said their grants were frozen.",
        "Myanmar refugees in camps in Thailand said their flights to America were cancelled.",
        "Clinics for Myanmar refugees in Thailand closed after the freeze on American aid.",
        "Teachers in Myanmar refugee camps in Thailand said schools funded by America shut.",
        "A Myanmar refugee family in Thailand said the freeze on aid left them without food.",
    ]
    mixed = Article(
        id="seeds/m.txt:1",
        file="seeds/m.txt",
        title="Hegseth Says Return to Ukraine’s Old Borders Is Unrealistic",
        title_line=1,
        outlet=None,
        date=None,
        byline=None,
        first_line=1,
        last_line=len(lines) + 1,
        paragraphs=tuple(Paragraph(line=n, text=t) for n, t in enumerate(lines, start=2)),
    )
    topic = Topic(
        slug="hegseth",
        title=mixed.title,
        passages=tuple(Passage(article=mixed, paragraph=p) for p in mixed.paragraphs),
        terms=("hegseth",),
    )
    summary = [s.text for s in summarize(topic, {}, OPTIONS).summary]
    assert sum("Hegseth" in s for s in summary) >= 2
    assert lines[2] not in summary  # set in lower case: cited in details, never a summary line


def test_a_topic_with_nothing_to_cite_is_a_clear_error() -> None:
    fragment = Passage(article=KURSK, paragraph=KURSK.paragraphs[6])  # "Advertisement"
    topic = Topic(slug="pinned", title="Pinned", passages=(fragment,), terms=(), pinned=True)
    with pytest.raises(BuildError, match=r"topic 'pinned': no whole sentence to cite"):
        summarize(topic, {}, OPTIONS)


def test_details_are_capped_per_article_so_every_article_feeds_its_brief() -> None:
    second = Article(
        id="seeds/001.txt:1",
        file="seeds/001.txt",
        title="Kursk villagers describe months under occupation",
        title_line=1,
        outlet="Reuters",
        date=None,
        byline=None,
        first_line=1,
        last_line=4,
        paragraphs=tuple(
            Paragraph(line=n, text=t)
            for n, t in [
                (2, "Villagers in the Kursk region described months living under Ukrainian control."),
                (3, "Some of them said the soldiers shared food with the elderly in the villages."),
                (4, "Others said they had no news of relatives who had fled to Kursk city."),
            ]
        ),
    )  # fmt: skip
    topic = Topic(
        slug=TOPIC.slug,
        title=TOPIC.title,
        passages=TOPIC.passages + tuple(Passage(article=second, paragraph=p) for p in second.paragraphs),
        terms=TOPIC.terms,
    )  # fmt: skip
    options = SummaryOptions.from_config(
        BuildConfig(summary_sentences=1, max_facts=1, max_quotes=1, details_per_article=1)
    )
    b = summarize(topic, {}, options)
    files = [b.source(d.source).file for d in b.details]
    assert sorted(files) == ["seeds/000.txt", "seeds/001.txt"]  # one each, none crowded out
