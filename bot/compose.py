"""Ranked sentences -> the `Answer` a person reads. Pure: no matching, no I/O, no Telegram.

Every reply is built here so that all front ends say the same thing: the terminal prints
`answer.text` with the citations under it, `--json` prints `answer.to_json()`, and the
Telegram layer renders the same object as HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from rapidfuzz import fuzz

from bot.answer import Answer, AnswerSentence, Citation
from bot.briefs import Brief, Cited
from bot.text import normalize

NO_BRIEF = "I have no brief on that."


def cited_answer(
    question: str,
    brief: Brief,
    items: Sequence[Cited],
    *,
    kind: Literal["answer", "overview"] = "answer",
    confidence: float,
    next_questions: Sequence[str] | None = None,
) -> Answer:
    """Sentences of one brief, each followed by its citation marker: "... [1] ... [2]".
    The hint is one of `next_questions` (default: the brief's own questions)."""
    citations: list[Citation] = []
    numbers: dict[tuple[str, int], int] = {}
    sentences: list[AnswerSentence] = []
    for item in items:
        key = (item.source, item.line)
        if key not in numbers:
            src = brief.source(item.source)
            numbers[key] = len(citations) + 1
            citations.append(
                Citation(
                    n=numbers[key],
                    outlet=src.outlet,
                    title=src.title,
                    date=src.date,
                    source=brief.citation(item),
                )
            )
        sentences.append(AnswerSentence(text=item.text, citation=numbers[key]))
    text = " ".join(f"{s.text} [{s.citation}]" for s in sentences)
    return Answer(
        question=question,
        kind=kind,
        topic=brief.slug,
        topic_title=brief.title,
        confidence=confidence,
        sentences=tuple(sentences),
        citations=tuple(citations),
        suggestions=(),
        suggestion_titles=(),
        text=text,
        hint=next_question(
            question,
            brief,
            brief.questions if next_questions is None else next_questions,
            overview=kind == "overview",
        ),
    )


def next_question(question: str, brief: Brief, questions: Sequence[str], *, overview: bool) -> str:
    """A question worth asking next: one of `questions` unlike the one asked, else the whole
    brief."""
    asked = normalize(question)
    for q in questions:
        if fuzz.ratio(normalize(q), asked, processor=None, score_cutoff=0) < 80:
            return q
    if overview:
        names = (*brief.people, *brief.places)
        if names:
            return f"What did {names[0]} say?" if brief.people else f"What happened in {names[0]}?"
        return f"Ask about a detail of {brief.title}."
    return f"Brief me on {brief.title}"


def decline(question: str, suggestions: Sequence[tuple[str, str]], *, confidence: float) -> Answer:
    """No brief answers the question: say so plainly and offer the nearest topics."""
    text = NO_BRIEF
    if suggestions:
        text += " Nearest topics: " + "; ".join(title for _, title in suggestions) + "."
    return Answer(
        question=question,
        kind="decline",
        topic=None,
        topic_title=None,
        confidence=confidence,
        sentences=(),
        citations=(),
        suggestions=tuple(slug for slug, _ in suggestions),
        suggestion_titles=tuple(title for _, title in suggestions),
        text=text,
        hint="Ask about one of these topics, or /topics for the full list."
        if suggestions
        else None,
    )


def ambiguous(question: str, choices: Sequence[tuple[str, str]], *, confidence: float) -> Answer:
    """Two or more topics fit equally well: ask which one was meant."""
    titles = [title for _, title in choices]
    listed = ", ".join(titles[:-1]) + f" or {titles[-1]}" if len(titles) > 1 else titles[0]
    return Answer(
        question=question,
        kind="ambiguous",
        topic=None,
        topic_title=None,
        confidence=confidence,
        sentences=(),
        citations=(),
        suggestions=tuple(slug for slug, _ in choices),
        suggestion_titles=tuple(titles),
        text=f"That could be about {listed}. Which one do you mean?",
        hint="Pick a topic, or add a word to your question.",
    )


def invalid(question: str, reason: str) -> Answer:
    """Input that is not a question: empty, far too long, or not readable text."""
    return Answer(
        question=question,
        kind="invalid",
        topic=None,
        topic_title=None,
        confidence=0.0,
        sentences=(),
        citations=(),
        suggestions=(),
        suggestion_titles=(),
        text=reason,
        hint=None,
    )
