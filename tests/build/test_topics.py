"""Stage 4: topics are discovered from the articles; config.yaml only adjusts them."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from factories import make_article

from bot.build.article import Article
from bot.build.topics import (
    TopicOptions,
    cluster,
    discover_topics,
    informative,
    proper_names,
    readable_title,
    slug_words,
    slugify,
)
from bot.config import BuildConfig, TopicMerge, TopicPin, TopicsConfig
from bot.errors import BuildError


def article(file: str, title: str, *paragraphs: str, line: int = 1) -> Article:
    return make_article(file, paragraphs, title=title, line=line)


# Two outlets on one story, one unrelated story, and a teaser too thin to be a topic.
VOLCANO_A = article(
    "seeds/a.txt",
    "Volcano erupts near Reykjavik, lava reaches the fishing town of Grindavik",
    "A volcano erupted on the Reykjanes peninsula on Monday, sending lava toward Grindavik.",
    "Civil defence officials evacuated the fishing town of Grindavik before the lava arrived.",
    "The eruption is the fifth on the peninsula since December, the meteorological office said.",
    "Lava barriers built around Grindavik held back most of the flow, engineers said.",
    "Flights at Keflavik airport were not disrupted by the volcanic eruption.",
)
VOLCANO_B = article(
    "seeds/b.txt",
    "Lava flows toward Grindavik as Iceland volcano erupts again",
    "Lava from a new volcanic eruption on the Reykjanes peninsula flowed toward Grindavik.",
    "Residents of Grindavik were evacuated overnight as the volcano erupted again.",
    "Engineers said the lava barriers protecting Grindavik were holding back the eruption.",
    "The meteorological office said the volcano eruption was weaker than in December.",
)
WHEAT = article(
    "seeds/b.txt",
    "Wheat prices climb as drought cuts the Argentine harvest",
    "Wheat futures rose for a third week as drought cut the harvest in Argentina.",
    "Farmers in Argentina expect the smallest wheat harvest in a decade, traders said.",
    "Importers in Egypt and Indonesia are buying wheat from Australia instead.",
    "Analysts expect wheat prices to stay high until the next harvest in Argentina.",
    line=20,
)
TEASER = article("seeds/c.txt", "Horoscope today", "Aries will get good news today, know more.")
OPTIONS = TopicOptions.from_config(BuildConfig())


def test_two_outlets_on_one_story_share_a_topic_and_another_story_gets_its_own() -> None:
    topics = discover_topics([VOLCANO_A, WHEAT, VOLCANO_B, TEASER], OPTIONS, TopicsConfig())
    by_articles = sorted(sorted({p.article.id for p in t.passages}) for t in topics.topics)
    assert by_articles == [["seeds/a.txt:1", "seeds/b.txt:1"], ["seeds/b.txt:20"]]


def test_noise_never_becomes_a_topic() -> None:
    topics = discover_topics([VOLCANO_A, WHEAT, TEASER], OPTIONS, TopicsConfig())
    assert all("Horoscope" not in t.title for t in topics.topics)
    assert topics.unassigned == 1


def test_slugs_come_from_distinctive_words_and_titles_from_a_central_headline() -> None:
    topics = discover_topics([VOLCANO_A, WHEAT, VOLCANO_B], OPTIONS, TopicsConfig())
    volcano = topics.topics[0]
    assert "grindavik" in volcano.slug.split("-")
    assert volcano.title in {VOLCANO_A.title, VOLCANO_B.title}
    wheat = topics.topics[1]
    assert "wheat" in wheat.slug.split("-")
    assert wheat.title == WHEAT.title


def test_the_same_corpus_gives_the_same_topics_in_any_input_order() -> None:
    one = discover_topics([VOLCANO_A, WHEAT, VOLCANO_B], OPTIONS, TopicsConfig())
    two = discover_topics([VOLCANO_B, VOLCANO_A, WHEAT], OPTIONS, TopicsConfig())
    assert one == two


def test_rename_merge_and_pin_from_config() -> None:
    found = discover_topics([VOLCANO_A, WHEAT, VOLCANO_B], OPTIONS, TopicsConfig())
    volcano, wheat = (t.slug for t in found.topics)
    config = TopicsConfig(
        rename={"everything": "All the news"},
        merge=(TopicMerge(into="everything", sources=(volcano, wheat)),),
        pin=(TopicPin(slug="egypt", title="Egypt", keywords=("Egypt",)),),
    )
    topics = {
        t.slug: t for t in discover_topics([VOLCANO_A, WHEAT, VOLCANO_B], OPTIONS, config).topics
    }
    assert set(topics) == {"everything", "egypt"}
    assert topics["everything"].title == "All the news"
    assert len(topics["everything"].passages) == 13
    assert [p.paragraph.text for p in topics["egypt"].passages] == [WHEAT.paragraphs[2].text]


def test_config_naming_a_topic_that_does_not_exist_is_a_clear_error() -> None:
    config = TopicsConfig(rename={"no-such-topic": "X"})
    with pytest.raises(
        BuildError, match=r"topics.rename: no topic 'no-such-topic'.*the topics are"
    ):
        discover_topics([VOLCANO_A, WHEAT], OPTIONS, config)


def test_a_pin_that_matches_nothing_is_a_clear_error() -> None:
    config = TopicsConfig(pin=(TopicPin(slug="mars", title="Mars", keywords=("Mars rover",)),))
    with pytest.raises(BuildError, match=r"topics.pin\[0\].keywords: no paragraph .*Mars rover"):
        discover_topics([VOLCANO_A, WHEAT], OPTIONS, config)


def test_a_paragraph_about_another_topic_moves_there() -> None:
    mixed = article(
        "seeds/d.txt",
        "Grindavik residents wait to return home after the volcano eruption",
        "Residents of Grindavik waited to learn when the lava flow would let them return.",
        "The volcano eruption near Grindavik slowed on Tuesday, the meteorological office said.",
        "Separately, wheat prices rose again as drought hit the harvest in Argentina, traders said.",
    )
    topics = discover_topics([VOLCANO_A, WHEAT, VOLCANO_B, mixed], OPTIONS, TopicsConfig())
    wheat = next(t for t in topics.topics if "wheat" in t.slug)
    assert "seeds/d.txt:1" in {p.article.id for p in wheat.passages}


def test_cluster_merges_while_average_similarity_clears_the_threshold() -> None:
    rows = np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    assert cluster(rows, 0.5) == [[0, 1], [2], [3]]
    assert cluster(rows, 2.0) == [[0], [1], [2], [3]]


def test_informative_sentences_are_whole_sentences_of_some_length() -> None:
    assert informative("The eruption is the fifth on the peninsula since December.")
    assert not informative("Volcano erupts.")
    assert not informative("More stories from around the world and beyond")


def test_slugify_keeps_ascii_words() -> None:
    assert slugify("Zelensky’s Kyiv") == "zelenskys-kyiv"
    assert slugify("S-400") == "s400"


def test_a_headline_in_capitals_becomes_a_readable_title() -> None:
    assert readable_title("UKRAINE SET TO LOSE FOOTHOLD IN RUSSIA’S KURSK") == (
        "Ukraine Set To Lose Foothold In Russia’s Kursk"
    )
    assert readable_title("Modi  bear-hugs Putin") == "Modi bear-hugs Putin"


def test_slugs_lead_with_names_and_say_each_word_once() -> None:
    proper = proper_names([VOLCANO_A, VOLCANO_B, WHEAT])
    assert {"grindavik", "reykjanes", "argentina"} <= proper
    assert "lava" not in proper
    assert slug_words(["lava", "grindavik", "volcano", "reykjanes"], proper)[:3] == [
        "grindavik",
        "reykjanes",
        "lava",
    ]
    assert slug_words(["india", "indian", "modi", "visit"], {"india", "indian", "modi"})[:3] == [
        "india",
        "modi",
        "visit",
    ]


def test_a_story_without_a_headline_is_titled_by_its_key_words() -> None:
    untitled = article("seeds/x.txt", "", *(p.text for p in VOLCANO_A.paragraphs))
    (topic,) = discover_topics([untitled], OPTIONS, TopicsConfig()).topics
    assert "Grindavik" in topic.title.split()


def test_a_group_too_small_for_a_topic_feeds_the_nearest_topic_if_it_is_close() -> None:
    # Every article its own group; only one topic allowed: the other volcano report still
    # feeds the volcano brief, while the unrelated wheat story is left out, not mixed in.
    options = dataclasses.replace(OPTIONS, cluster_threshold=0.99, max_topics=1)
    topics = discover_topics([VOLCANO_A, VOLCANO_B, WHEAT], options, TopicsConfig())
    (volcano,) = topics.topics
    assert {p.article.id for p in volcano.passages} == {VOLCANO_A.id, VOLCANO_B.id}
    assert topics.unassigned == 1


def test_slug_names_are_distinctive_headline_names_never_months() -> None:
    proper = {"india", "peri", "ukraine", "bhatia", "halifax", "november"}
    # A quoted analyst ranks high but the headline names India and Ukraine.
    key = ["india", "frustrate", "peri", "ukraine", "refusal", "sides", "bhatia"]
    headline = ["India's refusal to take a side in the Ukraine war is frustrating the West"]
    assert slug_words(key, proper, headline)[:3] == ["india", "ukraine", "frustrate"]
    # A name still leads from a little further down; a month is no name.
    key = ["house", "prices", "november", "mortgage", "lending", "market", "halifax"]
    assert slug_words(key, proper)[:3] == ["halifax", "house", "prices"]
    # A name far down the list says little of the story.
    key = ["dollar", "euros", "currency", "deficit", "trade", "slide", "low", "yen", "halifax"]
    assert slug_words(key, proper)[:3] == ["dollar", "euros", "currency"]
