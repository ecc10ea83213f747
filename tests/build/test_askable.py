"""Stage 6: a brief keeps only the example questions the engine answers from it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.briefs import load_briefs
from bot.build.askable import answerable_questions
from bot.config import MatchingConfig, load_config
from bot.engine import Engine
from tests.briefsets import articles

ROOT = Path(__file__).resolve().parents[2]


def test_a_question_the_engine_declines_or_answers_elsewhere_is_dropped() -> None:
    briefs = articles(
        (
            "How Venezuela Helps Fuel the Violence in Colombia",
            [
                "The ELN has long used Venezuela as a refuge, said Kyle Johnson, an analyst.",
                "“The fighting will go on,” Kyle Johnson said of the rebels in Catatumbo.",
            ],
        ),
        (
            "Petro suspends talks with the ELN",
            ["“We will not negotiate under fire,” President Gustavo Petro said on Friday."],
        ),
    )
    colombia = dataclasses.replace(
        briefs.briefs["a"],
        questions=(
            "What did Kyle Johnson say about horoscopes?",  # declined
            "What did Kyle Johnson say about Venezuela?",
            "What did Kyle Johnson say?",  # the same speaker again
            "What did Gustavo Petro say?",  # answered, but from the other brief
        ),
    )
    kept, _ = answerable_questions([colombia, briefs.briefs["b"]], MatchingConfig())
    assert kept.questions == ("What did Kyle Johnson say about Venezuela?",)
    assert Engine(briefs, MatchingConfig()).ask("What did Gustavo Petro say?").topic == "b"


def test_every_committed_question_is_answered_from_its_own_brief() -> None:
    config = load_config(ROOT / "config.yaml", environ={})
    engine = Engine(load_briefs(ROOT / "briefs"), config.matching)
    for brief in engine.briefs:
        for question in brief.questions:
            answer = engine.ask(question)
            assert answer.answered and answer.topic == brief.slug, question
