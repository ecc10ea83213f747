"""bot.engine: what a person gets back for a question, on the hand-made fixture briefs."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import pytest

from bot.briefs import BriefSet, load_briefs
from bot.config import Config, MatchingConfig
from bot.engine import MAX_QUESTION_CHARS, Engine, leans_on_before
from bot.errors import BriefError
from tests.briefsets import article, topic

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "data" / "fixture_briefs"


@pytest.fixture(scope="module")
def briefs() -> BriefSet:
    return load_briefs(FIXTURE)


@pytest.fixture(scope="module")
def engine(briefs: BriefSet) -> Engine:
    return Engine(briefs, MatchingConfig())


def seed_line(source: str) -> str:
    file, line = source.rsplit(":", 1)
    return (ROOT / file).read_text(encoding="utf-8").splitlines()[int(line) - 1]


def test_a_number_question_gets_the_number_with_its_citation(engine: Engine) -> None:
    answer = engine.ask("how many civilians are still in kursk?")
    assert answer.kind == "answer"
    assert answer.topic == "kursk-fighting"
    assert "2,000 to 3,000" in answer.text
    assert 1 <= len(answer.sentences) <= 3
    assert answer.text.startswith(answer.sentences[0].text)
    assert "[1]" in answer.text
    assert answer.hint


def test_every_cited_sentence_is_on_the_seed_line_it_cites(engine: Engine) -> None:
    for question in ("S-400", "waht did hegseth say abt borders", "sudzha school missile"):
        answer = engine.ask(question)
        by_n = {c.n: c for c in answer.citations}
        assert answer.sentences
        for sentence in answer.sentences:
            citation = by_n[sentence.citation]
            assert sentence.text in seed_line(citation.source)
            assert citation.outlet and citation.title


def test_typos_and_phone_casing(engine: Engine) -> None:
    assert "unrealistic objective" in engine.ask("waht did hegseth say abt borders").text
    assert engine.ask("HEGSEHT NATO").topic == "hegseth-ukraine-borders"


def test_a_bare_topic_name_or_brief_request_gets_the_summary(engine: Engine) -> None:
    for question in ("brief me on india russia ties", "India and Russia ties", "kursk"):
        answer = engine.ask(question)
        assert answer.kind == "overview", question
    answer = engine.ask("brief me on india russia ties")
    summary = engine.briefs.briefs["india-russia-ties"].summary
    assert [s.text for s in answer.sentences] == [c.text for c in summary]


@pytest.mark.parametrize(
    "question",
    [
        "what's the weather in moscow tomorrow",
        "who won the football last night",
        "my horoscope for today",
        "what did hegseth say about cricket",
    ],
)
def test_off_topic_questions_are_declined_with_nearest_topics(
    engine: Engine, question: str
) -> None:
    answer = engine.ask(question)
    assert answer.kind == "decline"
    assert answer.text.startswith("I have no brief on that.")
    assert len(answer.suggestions) <= 3
    assert len(answer.suggestion_titles) == len(answer.suggestions)
    assert not answer.citations


def test_decline_suggests_the_topic_it_came_close_to(engine: Engine) -> None:
    answer = engine.ask("what did hegseth say about cricket")
    assert answer.suggestions[0] == "hegseth-ukraine-borders"


@pytest.mark.parametrize(
    "question",
    ["", "   \n\t ", "x" * 10_000, "\x00\x01\x02\x03\x04\x05 kursk", "\ufffd\ufffd\ufffd", "?!?"],
)
def test_invalid_input_gets_a_clear_reply(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.kind == "invalid"
    assert answer.text and not answer.answered


def test_too_long_says_the_limit(engine: Engine) -> None:
    assert str(MAX_QUESTION_CHARS) in engine.ask("kursk " * 2000).text


def test_two_topics_too_close_to_call_ask_which(briefs: BriefSet) -> None:
    twin = dataclasses.replace(
        briefs.briefs["kursk-fighting"], slug="kursk-copy", title="Kursk again"
    )
    both = dataclasses.replace(briefs, briefs={**briefs.briefs, "kursk-copy": twin})
    # The copy's sentences are the same texts, so they are one answer, not two topics...
    assert Engine(both, MatchingConfig()).ask("sudzha school").kind == "answer"
    # ...but two different briefs that fit equally well make the engine ask.
    other = dataclasses.replace(
        twin,
        summary=tuple(
            dataclasses.replace(c, text=c.text.replace("Sudzha", "Sudzha town"))
            for c in twin.summary
        ),
        facts=tuple(
            dataclasses.replace(c, text=c.text.replace("Sudzha", "Sudzha town")) for c in twin.facts
        ),
    )
    rival = dataclasses.replace(briefs, briefs={**briefs.briefs, "kursk-copy": other})
    answer = Engine(rival, MatchingConfig(ambiguity_margin=0.05)).ask("sudzha school")
    assert answer.kind == "ambiguous"
    assert set(answer.suggestions) == {"kursk-fighting", "kursk-copy"}
    assert "Which one" in answer.text


def test_overview_by_slug(engine: Engine) -> None:
    answer = engine.overview("hegseth-ukraine-borders")
    assert answer.kind == "overview"
    assert answer.topic_title == "Hegseth on Ukraine's borders"
    assert len(answer.sentences) == len(engine.briefs.briefs["hegseth-ukraine-borders"].summary)
    assert engine.overview("no-such-topic").kind == "decline"


def test_higher_cutoff_declines_more(briefs: BriefSet) -> None:
    strict = Engine(briefs, MatchingConfig(answer_cutoff=1.0))
    assert strict.ask("kursk civilians trapped escape").kind == "decline"


def test_load_reads_the_configured_folder(tmp_path: Path) -> None:
    engine = Engine.load(Config(briefs=FIXTURE))
    assert len(engine.briefs) == 3
    with pytest.raises(BriefError, match="briefbot build"):
        Engine.load(Config(briefs=tmp_path))


def test_what_did_someone_say_gets_their_own_quote_first(engine: Engine) -> None:
    answer = engine.ask("what did hegseth say")
    assert answer.kind == "answer"
    first = answer.sentences[0].text
    # Either of his quoted sentences: "..., Pete Hegseth, said" or "..., Mr. Hegseth said."
    assert "Hegseth" in first and "”" in first


@pytest.mark.parametrize(
    ("sentence", "leans"),
    [
        ("He said 2025 would be the year of victory.", True),
        ("“It is quite remarkable,” said Belousova.", True),
        ("“It is quite remarkable that India still went ahead,” said Belousova.", False),
        ("It is not clear whether the talks will resume.", False),
        ("It was a huge disappointment and a blow to peace.", True),
        ("Their losses are heavy.", True),
        ("Then in July, Mr. Maduro declared himself the winner.", False),
        ("But for Ukraine to try to regain all of the territory will prolong the war.", False),
        ("Hegseth said the goal was unrealistic.", False),
    ],
)
def test_which_sentences_lean_on_the_one_before(sentence: str, leans: bool) -> None:
    assert leans_on_before(sentence) is leans


def test_a_fact_question_is_answered_even_when_two_topics_hold_it(briefs: BriefSet) -> None:
    twin = dataclasses.replace(
        briefs.briefs["kursk-fighting"], slug="kursk-copy", title="Kursk again"
    )
    other = dataclasses.replace(
        twin,
        summary=tuple(dataclasses.replace(c, text=c.text + " Again.") for c in twin.summary),
    )
    rival = dataclasses.replace(briefs, briefs={**briefs.briefs, "kursk-copy": other})
    engine = Engine(rival, MatchingConfig(ambiguity_margin=0.05))
    assert engine.ask("how many russian civilians remain in kursk").kind == "answer"


def test_a_neighbour_that_completes_the_reply_joins_it(engine: Engine) -> None:
    answer = engine.ask("how many people were killed when the missile hit sudzha's school")
    texts = " ".join(s.text for s in answer.sentences)
    assert "missile hit Sudzha’s boarding school" in texts
    assert "killed at least four people" in texts


def test_a_topic_name_with_more_words_is_a_question_not_a_brief_request(engine: Engine) -> None:
    assert engine.ask("kursk").kind == "overview"
    assert engine.ask("kursk civilians evacuation").kind == "answer"


def _shares(engine: Engine, cases: list[dict[str, object]]) -> tuple[float, float]:
    """(share of answerable cases answered with an expected string, share of declines declined)."""
    from bot.text import normalize

    answerable = [c for c in cases if c.get("expect")]
    declines = [c for c in cases if not c.get("expect")]
    right = 0
    for case in answerable:
        answer = engine.ask(str(case["q"]))
        reply = normalize(" ".join(s.text for s in answer.sentences))
        expect = case["expect"]
        assert isinstance(expect, list)
        right += answer.answered and any(normalize(e) in reply for e in expect)
    declined = sum(not engine.ask(str(case["q"])).answered for case in declines)
    return right / max(len(answerable), 1), declined / max(len(declines), 1)


@pytest.mark.parametrize(
    ("group", "answered_floor", "declined_floor"),
    [
        (None, 0.69, 0.90),  # every question: measured 70.3% and 90.8% (with fresh7 to fresh14)
        ("fresh", 0.74, 0.95),  # written after the matcher was tuned: 76.7% and 100%
        ("fresh2", 0.83, 0.90),  # scored before the changes after it (66.7%, 92.9%): 85.4%, 92.9%
        ("fresh3", 0.67, 0.95),  # written after them, scored once (73.1%, 75%): 69.2%, 100%
        ("fresh4", 0.64, 0.80),  # scored once (61.1%, 66.7%), now 66.7% and 83.3%
        ("fresh5", 0.75, 0.78),  # scored once (74.1%, 63.6%), now 77.8% and 81.8%
        ("fresh6", 0.55, 0.55),  # written after every change, scored once: 60% and 60%
        ("fresh7", 0.53, 0.78),  # written blind, scored once (52.7%, 53.3%): 54.5%, 80%
        ("fresh8", 0.58, 0.84),  # written blind, scored once (63.6%, 57.1%): 60.6% and 85.7%
        ("fresh9", 0.45, 0.84),  # written blind at the very end, scored once: 48.5%, 85.7%
        ("fresh10", 0.55, 0.86),  # blind; at session 4's start 54.8%, 62.5%; now 57.1%, 87.5%
        ("fresh11", 0.57, 0.86),  # blind; at session 4's start 57.1%, 75%; now 59.5%, 87.5%
        ("fresh12", 0.57, 0.86),  # blind; session 5's start and end alike: 59.5%, 87.5%
        ("fresh13", 0.64, 0.74),  # blind, written mid-session 5; then and at its end: 66.7%, 75%
        ("fresh14", 0.62, 0.74),  # blind, session 6: 61.9%, 75% at its start; 64.3%, 75% at its end
        ("probes", None, 0.88),  # near-miss declines: 96.9%
    ],
)
def test_quality_floor_on_the_committed_briefs(
    group: str | None, answered_floor: float | None, declined_floor: float
) -> None:
    """An evaluation gate, as trafilatura keeps one: tests/data/questions.yaml on briefs/.

    Floors sit just under the figures bench/answers.py measures, so a regression fails here.
    """
    import yaml

    folder = ROOT / "briefs"
    if not (folder / "index.yaml").exists():
        pytest.skip("no committed briefs")
    engine = _committed_engine(folder)
    cases = yaml.safe_load((ROOT / "tests/data/questions.yaml").read_text(encoding="utf-8"))
    chosen = [c for c in cases["questions"] if group is None or c.get("set") == group]
    answered, declined = _shares(engine, chosen)
    assert answered_floor is None or answered >= answered_floor
    assert declined >= declined_floor


@functools.cache
def _committed_engine(folder: Path) -> Engine:
    return Engine(load_briefs(folder), MatchingConfig())


def test_a_reply_reads_in_the_article_s_order() -> None:
    lines = [
        "Zoya, 64, described the initial friendliness of Ukrainian soldiers.",
        "“They were really nice lads,” she said.",
        "Zoya spent most of her time sheltering from constant bombing in her basement.",
        "“There was nowhere left to live — it was so scary there,” she said in an interview.",
        "She said she walked five miles through fields before reaching the Russian lines.",
        "Another woman named Natalia, 69, recounted a similar experience.",
    ]
    briefs = article(
        "The Fiercest Fighting of the Ukraine War May Be in Russia", lines, outlet="NYT"
    )
    answer = Engine(briefs, MatchingConfig()).ask("how far did zoya walk")
    assert answer.answered
    got = [s.text for s in answer.sentences]
    assert got == sorted(got, key=lines.index)
    assert got[-1].startswith("She said she walked five miles")


def test_a_reported_speech_comes_with_the_words_quoted_after_it() -> None:
    lines = [
        "Modi’s trip to Moscow broke with the Indian tradition of visiting neighbors first.",
        "In a speech to the Indian diaspora in Moscow, Modi also announced the opening of new "
        "consulates in Kazan and Yekaterinburg.",
        "“India and Russia are walking shoulder-and-shoulder,” Modi said in his speech.",
        "Putin congratulated Modi on his reelection.",
    ]
    answer = Engine(
        article("Why Modi and Putin Are Friends", lines, outlet="NYT"), MatchingConfig()
    ).ask("what did modi tell indians in moscow")
    assert any("shoulder-and-shoulder" in s.text for s in answer.sentences)


def test_an_overview_request_no_topic_fits_is_answered_from_the_sentences_that_do() -> None:
    # "tell me about X" where X is a passing subject of a brief about something else: no topic
    # is about it, but a sentence says it, and a decline would hide it.
    briefs = article(
        "The Fiercest Fighting of the War",
        [
            "Russian forces pressed on in the Kursk region on Monday.",
            "Officials in Kyiv said the front held.",
            "Cable firms NTL and Telewest have both launched video-on-demand services.",
            "Artillery fire continued overnight.",
            "Russian forces said they had retaken two villages.",
        ],
    )
    engine = Engine(briefs, MatchingConfig())
    answer = engine.ask("tell me about video on demand services")
    assert answer.kind == "answer"
    assert "Telewest" in answer.sentences[0].text
    assert not engine.ask("tell me about the weather in paris").answered


def test_an_overview_of_one_story_in_a_topic_opens_that_story_not_the_topic_summary() -> None:
    briefs = topic(
        "Retail and drug makers",
        (
            "Winn-Dixie files for bankruptcy",
            [
                "US supermarket group Winn-Dixie has filed for bankruptcy protection.",
                "The grocer blamed stiff competition from Wal-Mart.",
                "Its shares fell 20% in early trading.",
            ],
        ),
        (
            "FDA panel to rule on Vioxx",
            [
                "US drug regulators will decide on Friday whether Vioxx can return to shops.",
                "An FDA advisory panel will give its verdict after three days of evidence.",
                "Merck said it would consider selling Vioxx again if it gets approval.",
                "Critics say the painkiller raised the risk of heart attacks.",
            ],
        ),
        keywords=("Winn-Dixie", "Vioxx", "FDA"),
    )
    engine = Engine(briefs, MatchingConfig())
    story = engine.ask("whats the latest on vioxx and the fda")
    assert story.kind == "overview"
    assert [s.text for s in story.sentences] == [
        "US drug regulators will decide on Friday whether Vioxx can return to shops.",
        "An FDA advisory panel will give its verdict after three days of evidence.",
        "Merck said it would consider selling Vioxx again if it gets approval.",
    ]
    # The topic's own name asks for the topic: its summary, whatever story is in it.
    whole = engine.ask("brief me on retail and drug makers")
    assert whole.sentences[0].text.startswith("US supermarket group Winn-Dixie")
    assert engine.ask("catch me up on winn-dixie").sentences[0].text.startswith("US supermarket")


def test_a_reply_does_not_say_again_what_a_fuller_sentence_of_it_says() -> None:
    briefs = topic(
        "The Fiercest Fighting of the Ukraine War May Be in Russia",
        (
            "Kursk fighting",
            [
                "Russian forces pressed on in the Kursk region on Monday.",
                "Officials in Kyiv said the front held.",
                "Between the two armies in Kursk, an estimated 2,000 to 3,000 Russian civilians "
                "remain, trapped by the speed of the Ukrainian advance.",
            ],
        ),
        ("Kursk in brief", ["An estimated 2,000 to 3,000 Russian civilians remain in Kursk."]),
    )
    answer = Engine(briefs, MatchingConfig()).ask("how many civilians are still in kursk?")
    assert [s.text[:30] for s in answer.sentences] == ["Between the two armies in Kurs"]
    # Shared words alone are no repeat: this one says more than the other.
    briefs = topic(
        "Putin Plans First Visit to I.C.C. Member State",
        (
            "Putin to visit Mongolia",
            [
                "The Kremlin announced the trip on Thursday.",
                "Officials gave no details.",
                "Putin is scheduled to visit Mongolia, a member of the International Criminal "
                "Court, which issued a warrant for his arrest last year.",
            ],
        ),
        (
            "Mongolia and the court",
            [
                "Mongolia, as a member of the International Criminal Court, should have "
                "arrested Putin, who has an ICC arrest warrant against him."
            ],
        ),
    )
    answer = Engine(briefs, MatchingConfig()).ask("will putin get arrested in mongolia")
    assert len(answer.sentences) == 2


def test_what_someone_said_goes_on_into_their_next_sentence() -> None:
    briefs = article(
        "How Venezuela Helps Fuel the Violence in Colombia",
        [
            "The ELN attacked the Catatumbo region in January.",
            "“‘Total peace’ was already in a bad spot,” said Kyle Johnson, co-founder of "
            "Foundation Conflict Responses.",
            "“This is the final nail in the coffin,” he said.",
            "Mr. Petro suspended the talks with the ELN.",
        ],
    )
    answer = Engine(briefs, MatchingConfig()).ask("what did kyle johnson say about total peace")
    assert [s.text[:20] for s in answer.sentences] == [
        "“‘Total peace’ was a",
        "“This is the final n",
    ]


def test_a_why_question_gets_the_cause_the_next_sentence_gives() -> None:
    briefs = article(
        "GM recalls pickups",
        [
            "General Motors is calling back 155,465 pickups, vans and sports utility vehicles.",
            "This is because of possible malfunctions with the braking systems.",
            "GM shares fell 2% in New York trading.",
        ],
    )
    engine = Engine(briefs, MatchingConfig())
    why = engine.ask("why is gm calling back all those pickups and vans")
    assert [s.text[:22] for s in why.sentences] == [
        "General Motors is call",
        "This is because of pos",
    ]
    how_many = engine.ask("how many pickups and vans is gm calling back")
    assert [s.text[:22] for s in how_many.sentences] == ["General Motors is call"]


def test_of_two_sentences_on_the_same_words_a_why_question_prefers_the_one_with_a_cause() -> None:
    briefs = article(
        "Telegraph job cuts",
        [
            "The Telegraph is cutting 90 editorial jobs at its London titles.",
            "The 90 editorial jobs at the Telegraph are cut as part of a move to new presses.",
        ],
    )
    index = Engine(briefs, MatchingConfig()).index
    best = index.rank_sentences(index.query("why is the telegraph cutting 90 jobs"))[0]
    assert best.sentence.item.text.startswith("The 90 editorial jobs")
    best = index.rank_sentences(index.query("is the telegraph cutting 90 jobs"))[0]
    assert best.sentence.item.text.startswith("The Telegraph is cutting")


def test_after_an_overview_the_hint_asks_for_a_detail_not_the_overview_again() -> None:
    engine = _committed_engine(ROOT / "briefs")  # their first questions ask for the overview
    for slug in engine.briefs.briefs:
        overview = engine.overview(slug)
        assert overview.hint is not None
        again = engine.ask(overview.hint)
        assert not (again.kind == "overview" and again.topic == slug), overview.hint


def test_a_quotation_that_names_no_speaker_is_its_neighbour_s_and_comes_with_it() -> None:
    briefs = article(
        "Modi bear-hugs Putin in Moscow",
        [
            "Modi arrived in Moscow on Monday.",
            "“Anybody who believes in humanity is aggrieved at the loss of life in war,” Modi "
            "told Putin.",
            "“Even so, it breaks our hearts to see innocent children get killed.”",
            "The two leaders then went to dinner.",
        ],
    )
    engine = Engine(briefs, MatchingConfig())
    speakers = {s.item.text[:12]: s.speaker for s in engine.index.sentences}
    assert speakers["“Even so, it"] == {"modi"}
    answer = engine.ask("what did modi say about innocent children getting killed")
    assert [s.text[:12] for s in answer.sentences] == ["“Anybody who", "“Even so, it"]
