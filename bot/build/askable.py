"""Step 6 of the build: keep the example questions the engine answers from their own brief.

A brief's questions are offered to people ("Next: What did Hades say about Kursk?", the
/help example), so one that the engine declines, or answers from another topic, would lead
them to "I have no brief on that". The templates of bot.build.summarize cannot know; the
engine, built over the new briefs with the configured matching, can.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.briefs import Brief, BriefSet, Index, IndexEntry
from bot.config import MatchingConfig

# Questions kept per brief, in the templates' order.
MAX_QUESTIONS = 4


def answerable_questions(briefs: Sequence[Brief], matching: MatchingConfig) -> list[Brief]:
    """The briefs, each keeping the questions the engine answers from it, one per speaker
    ("What did X say about Y?" over "What did X say?")."""
    from bot.engine import Engine  # the build runs without the engine until this step

    engine = Engine(_brief_set(briefs), matching)
    out = []
    for brief in briefs:
        kept: list[str] = []
        asked: set[str] = set()
        for question in brief.questions:
            who = question.split(" about ")[0].rstrip("?")
            if who in asked or len(kept) >= MAX_QUESTIONS:
                continue
            answer = engine.ask(question)
            if answer.answered and answer.topic == brief.slug:
                kept.append(question)
                asked.add(who)
        out.append(replace(brief, questions=tuple(kept)))
    return out


def _brief_set(briefs: Sequence[Brief]) -> BriefSet:
    entries = tuple(IndexEntry.of(b) for b in briefs)
    return BriefSet(
        briefs={b.slug: b for b in briefs}, index=Index(corpus="", topics=entries), version=""
    )
