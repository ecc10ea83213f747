"""bot.compose and bot.answer: the reply object every front end renders."""

from __future__ import annotations

from pathlib import Path

from bot import compose
from bot.briefs import load_briefs

FIXTURE = Path(__file__).parent / "data" / "fixture_briefs"
BRIEF = load_briefs(FIXTURE).briefs["kursk-fighting"]


def test_markers_number_the_citations_in_order() -> None:
    items = [BRIEF.summary[1], BRIEF.summary[3]]
    answer = compose.cited_answer("q", BRIEF, items, confidence=0.8)
    assert answer.text == f"{items[0].text} [1] {items[1].text} [2]"
    assert [c.n for c in answer.citations] == [1, 2]
    assert answer.citations[0].source == "seeds/000_d182a795cbf2b895.txt:4"
    assert answer.citations[0].outlet == "The New York Times"
    assert answer.topic == "kursk-fighting" and answer.topic_title == "The battle for Kursk"


def test_two_sentences_from_one_line_share_a_marker() -> None:
    same_line = [c for c in BRIEF.cited() if c.line == 22]
    assert len(same_line) == 2
    answer = compose.cited_answer("q", BRIEF, same_line, confidence=0.8)
    assert len(answer.citations) == 1
    assert answer.text.count("[1]") == 2


def test_to_json_is_the_documented_shape() -> None:
    answer = compose.cited_answer("how many?", BRIEF, [BRIEF.summary[1]], confidence=0.81234)
    assert answer.to_json() == {
        "question": "how many?",
        "answered": True,
        "topic": "kursk-fighting",
        "confidence": 0.812,
        "answer": f"{BRIEF.summary[1].text} [1]",
        "citations": [
            {
                "n": 1,
                "outlet": "The New York Times",
                "title": "The Fiercest Fighting of the Ukraine War May Be in Russia",
                "date": "2025-02-10",
                "source": "seeds/000_d182a795cbf2b895.txt:4",
            }
        ],
        "suggestions": [],
    }


def test_decline_names_the_nearest_topics() -> None:
    answer = compose.decline(
        "weather?", [("kursk-fighting", "The battle for Kursk")], confidence=0.1
    )
    assert answer.text == "I have no brief on that. Nearest topics: The battle for Kursk."
    assert answer.to_json()["suggestions"] == ["kursk-fighting"]
    assert not answer.answered
    assert compose.decline("x", [], confidence=0.0).text == "I have no brief on that."


def test_ambiguous_lists_the_choices() -> None:
    answer = compose.ambiguous("q", [("a", "Topic A"), ("b", "Topic B")], confidence=0.5)
    assert answer.text == "That could be about Topic A or Topic B. Which one do you mean?"
    assert answer.suggestions == ("a", "b")


def test_the_hint_is_a_question_from_the_brief_unless_it_was_just_asked() -> None:
    asked = compose.cited_answer(BRIEF.questions[0], BRIEF, [BRIEF.summary[1]], confidence=1)
    other = compose.cited_answer("sudzha school", BRIEF, [BRIEF.summary[1]], confidence=1)
    assert other.hint == BRIEF.questions[0]
    assert asked.hint != BRIEF.questions[0]
