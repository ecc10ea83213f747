"""The reply to one question, as plain data that every front end renders its own way.

`Answer` is what `Engine.ask` returns. The terminal prints `answer.text` and the citations,
`briefbot ask --json` prints `answer.to_json()`, and the Telegram layer renders the same object
as HTML with buttons. Nothing here imports Telegram.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

AnswerKind = Literal["answer", "overview", "ambiguous", "decline", "invalid"]


@dataclass(frozen=True, kw_only=True)
class Citation:
    n: int  # the marker number used in the text: [1], [2], ...
    outlet: str
    title: str
    date: str | None
    source: str  # "seeds/<file>:<line>"


@dataclass(frozen=True, kw_only=True)
class AnswerSentence:
    text: str  # verbatim from the brief
    citation: int  # Citation.n


@dataclass(frozen=True, kw_only=True)
class Answer:
    question: str
    # answer: cited sentences; overview: a topic's summary; ambiguous: asks which topic;
    # decline: no brief answers it; invalid: empty, too long or unreadable input.
    kind: AnswerKind
    topic: str | None  # slug of the brief the answer came from
    topic_title: str | None
    confidence: float  # 0..1
    sentences: tuple[AnswerSentence, ...]
    citations: tuple[Citation, ...]
    suggestions: tuple[
        str, ...
    ]  # slugs of topics to offer (nearest topics, or the ones to choose from)
    suggestion_titles: tuple[str, ...]  # titles of `suggestions`, same order
    text: str  # the whole reply as a user reads it, without markup
    hint: str | None = None  # a next question worth asking

    @property
    def answered(self) -> bool:
        return self.kind in ("answer", "overview")

    def to_json(self) -> dict[str, Any]:
        """The `briefbot ask --json` object."""
        return {
            "question": self.question,
            "answered": self.answered,
            "topic": self.topic,
            "confidence": round(self.confidence, 3),
            "answer": self.text,
            "citations": [
                {"n": c.n, "outlet": c.outlet, "title": c.title, "date": c.date, "source": c.source}
                for c in self.citations
            ],
            "suggestions": list(self.suggestions),
        }
