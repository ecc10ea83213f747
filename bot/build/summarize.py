"""Topic -> Brief, extractive only (stage 5 of the build).

Every text in a brief is a sentence of an article, copied verbatim with its citation. The
topic's sentences are ranked by centrality (cosine similarity of the sentence's TF-IDF vector to
the topic's centroid, as in sumy's and MEAD's centroid summarizers), near-duplicates are kept
once, and each section takes the best sentences for it, restored to corpus order so a summary
reads in order. Ties break by position, so the output depends only on the input.

    summary   the most central sentences, at most `summary_sentences`
    facts     sentences with numbers, dates or decisions
    quotes    who said what: a named speaker and the words in quotation marks
    timeline  sentences that state a calendar date, sorted by it
    details   the topic's other informative sentences, for answering questions
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypedDict

import numpy as np

from bot.briefs import Brief, Cited, Event, Fact, Quote, Source
from bot.build.article import Article
from bot.build.extract import Quoted, fact_kind, find_date, find_quote, names
from bot.build.sentences import split_sentences
from bot.build.topics import Passage, Topic, informative, terms
from bot.config import BuildConfig
from bot.errors import BuildError

UNKNOWN_OUTLET = "Unknown outlet"
# Two sentences this similar (cosine of their TF-IDF vectors) say the same thing.
NEAR_DUPLICATE = 0.85
# A summary sentence this similar to one already chosen adds too little.
SUMMARY_OVERLAP = 0.5
# Page furniture a cleaner may let through; a brief never quotes it.
_BOILERPLATE = re.compile(
    r"contributed reporting|reporting from|read more|subscribe|sign up|newsletter|click here|"
    r"all rights reserved|copyright|©|follow us|download the app|cookies|javascript|"
    r"^advertisement|^share\b|read the original article|^watch\b|with inputs from",
    re.IGNORECASE,
)
# A sentence that opens with a pronoun or connective leans on the one before it.
_DANGLING = re.compile(
    r"^(?:He|She|It|They|This|That|These|Those|His|Her|Its|Their|But|And|Also)\b"
)


@dataclass(frozen=True, kw_only=True)
class SummaryOptions:
    summary_sentences: int
    max_facts: int
    max_quotes: int
    max_details: int
    details_per_article: int

    @classmethod
    def from_config(cls, build: BuildConfig) -> SummaryOptions:
        return cls(
            summary_sentences=build.summary_sentences,
            max_facts=build.max_facts,
            max_quotes=build.max_quotes,
            max_details=build.max_details,
            details_per_article=build.details_per_article,
        )


class _Ref(TypedDict):
    text: str
    source: str
    line: int


@dataclass(frozen=True, kw_only=True)
class _Sentence:
    text: str
    article: Article
    line: int
    order: tuple[str, int, int]  # file, line, position in the paragraph
    lead: bool  # in the first three paragraphs of its article


def topic_sentences(passages: Sequence[Passage]) -> list[_Sentence]:
    """The informative sentences of a topic in corpus order, each distinct text once."""
    out: list[_Sentence] = []
    seen: set[str] = set()
    for passage in sorted(passages, key=lambda p: p.order):
        article, para = passage.article, passage.paragraph
        lead = para.line in {p.line for p in article.paragraphs[:3]}
        for i, text in enumerate(split_sentences(para.text)):
            key = " ".join(text.split())
            if key in seen or not informative(text) or _BOILERPLATE.search(text):
                continue
            seen.add(key)
            out.append(
                _Sentence(
                    text=text,
                    article=article,
                    line=para.line,
                    order=(article.file, para.line, i),
                    lead=lead,
                )
            )
    return out


def summarize(topic: Topic, idf: dict[str, float], options: SummaryOptions) -> Brief:
    """The brief of one topic: every item a cited sentence of the topic's articles."""
    sentences = topic_sentences(topic.passages)
    if not sentences:
        # Discovered topics always have some; a pin can gather only fragments.
        raise BuildError(
            f"topic {topic.slug!r}: no whole sentence to cite in the paragraphs it gathered; "
            "if it is pinned in config.yaml, choose keywords that occur in article text"
        )
    headlines = sorted({p.article.title for p in topic.passages})
    scores, sentences, vectors = _centrality(sentences, headlines, idf)
    by_rank = sorted(range(len(sentences)), key=lambda i: (-scores[i], sentences[i].order))

    summary = _pick_summary(by_rank, sentences, vectors, scores, options.summary_sentences)
    used = set(summary)
    quoted: dict[int, Quoted] = {}
    for i in by_rank:
        q = find_quote(sentences[i].text)
        if q is not None and len(quoted) < options.max_quotes:
            quoted[i] = q
    kinds = {i: fact_kind(sentences[i].text) for i in by_rank if i not in used}
    facts = [i for i in by_rank if kinds.get(i, "statement") != "statement"][: options.max_facts]
    dated = {
        i: d
        for i in by_rank
        if (d := find_date(sentences[i].text, sentences[i].article.date)) is not None
    }
    timeline = list(dated)[: options.max_facts]
    shown = used | set(facts) | set(quoted) | set(timeline)
    details = _pick_details([i for i in by_rank if i not in shown], sentences, kinds, options)

    cited = [*summary, *facts, *quoted, *timeline, *details]
    sources = _sources(sentences, cited)
    sid = {s.file + f":{s.first_line}": s.id for s in sources}

    def ref(i: int) -> _Ref:
        s = sentences[i]
        return {
            "text": s.text,
            "source": sid[f"{s.article.file}:{_article_span(s.article)[0]}"],
            "line": s.line,
        }

    def in_order(items: list[int]) -> list[int]:
        return sorted(items, key=lambda i: sentences[i].order)

    speakers = [q.speaker for q in quoted.values()]
    people, places = names((s.text for s in sentences), speakers)
    keywords = list(topic.terms[:10])
    cased = _cased_forms(s.text for s in sentences)
    return Brief(
        slug=topic.slug,
        title=topic.title,
        summary=tuple(Cited(**ref(i)) for i in in_order(summary)),
        facts=tuple(Fact(**ref(i), kind=kinds[i]) for i in in_order(facts)),
        quotes=tuple(
            Quote(**ref(i), speaker=quoted[i].speaker, quote=quoted[i].quote)
            for i in in_order(list(quoted))
        ),
        timeline=tuple(
            Event(**ref(i), date=dated[i])
            for i in sorted(timeline, key=lambda i: (dated[i], sentences[i].order))
        ),
        details=tuple(Cited(**ref(i)) for i in in_order(details)),
        people=tuple(people[:10]),
        places=tuple(places[:10]),
        keywords=tuple(keywords),
        questions=tuple(
            example_questions(
                speakers,
                people,
                places,
                [cased.get(k, k) for k in keywords],
                " ".join(s.text for s in sentences),
            )
        ),
        sources=tuple(sources),
    )


def _centrality(
    sentences: list[_Sentence], headlines: list[str], idf: dict[str, float]
) -> tuple[list[float], list[_Sentence], np.ndarray]:
    """Score each sentence by similarity to the topic's centroid and to its headlines; drop
    near-duplicates.

    The headlines keep a brief on its story: when one article strays into a second subject
    (or a page ran two stories together), the sentences its headline announces still lead.
    """
    bags = [Counter(terms(s.text)) for s in sentences]
    headline_bag: Counter[str] = Counter()
    for headline in headlines:
        headline_bag.update(terms(headline))
    vocab = {t: i for i, t in enumerate(sorted({t for b in bags for t in b}))}
    default_idf = max(idf.values(), default=1.0)
    matrix = np.zeros((len(sentences), max(len(vocab), 1)), dtype=np.float32)
    for row, bag in enumerate(bags):
        for term, count in bag.items():
            matrix[row, vocab[term]] = (1.0 + math.log(count)) * idf.get(term, default_idf)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    # Near-duplicates (the same sentence in two outlets' copies, lightly edited): first wins.
    similar = np.round(matrix @ matrix.T, 6) >= NEAR_DUPLICATE  # rounded: same on any BLAS
    np.fill_diagonal(similar, False)
    dropped = np.zeros(len(sentences), dtype=bool)
    keep: list[int] = []
    for i in range(len(sentences)):
        if not dropped[i]:
            keep.append(i)
            dropped |= similar[i]
    sentences = [sentences[i] for i in keep]
    matrix = matrix[keep]
    centroid = matrix.mean(axis=0)
    norm = float(np.linalg.norm(centroid))
    if norm:
        centroid /= norm
    announced = np.zeros(matrix.shape[1], dtype=np.float32)
    for term, count in headline_bag.items():
        if term in vocab:
            announced[vocab[term]] = (1.0 + math.log(count)) * idf.get(term, default_idf)
    norm = float(np.linalg.norm(announced))
    if norm:
        announced /= norm
    raw = 0.6 * (matrix @ centroid) + 0.4 * (matrix @ announced)
    scores = [round(float(score), 6) for score in raw]
    return scores, sentences, matrix


def _pick_summary(
    by_rank: list[int],
    sentences: list[_Sentence],
    vectors: np.ndarray,
    scores: list[float],
    limit: int,
) -> list[int]:
    """Central sentences that read well alone and do not repeat each other."""

    def appeal(i: int) -> tuple[float, tuple[str, int, int]]:
        s = sentences[i]
        # News is written lead first: the opening paragraphs are the story in brief.
        weight = 1.3 if s.lead else 1.0
        if _miscased(s.text):
            weight = 0.0  # never leads a summary; still cited in details
        if _DANGLING.match(s.text) or s.text[:1] in "“\"'‘":
            weight *= 0.8
        elif "“" in s.text or '"' in s.text:
            weight *= 0.9  # a summary states; the quotes section quotes
        return (-round(scores[i] * weight, 6), s.order)

    chosen: list[int] = []
    for i in sorted(by_rank, key=appeal):
        if len(chosen) >= limit:
            break
        if chosen and round(float(np.max(vectors[chosen] @ vectors[i])), 6) >= SUMMARY_OVERLAP:
            continue
        chosen.append(i)
    return chosen


def _pick_details(
    rest: list[int], sentences: list[_Sentence], kinds: dict[int, str], options: SummaryOptions
) -> list[int]:
    """The sentences kept for answering, capped per ARTICLE rather than per topic.

    A per-topic cap lets a big topic's most central article crowd out the rest, so most
    articles' facts would be in no brief. Each article gives its most telling sentences first
    (its lead, sentences with numbers or decisions, quotes), then the most central ones;
    `max_details` is only a safety cap on one brief's size.
    """

    def telling(i: int) -> bool:
        s = sentences[i]
        return s.lead or kinds.get(i, "statement") != "statement" or find_quote(s.text) is not None

    taken: Counter[str] = Counter()
    out: list[int] = []
    for i in sorted(rest, key=lambda i: not telling(i)):  # stable: rank order within each
        article = sentences[i].article.id
        if taken[article] < options.details_per_article:
            taken[article] += 1
            out.append(i)
    return out[: options.max_details]


def _miscased(text: str) -> bool:
    """A subtitle set in lower case ("russian president vladimir putin said that china..."):
    fine to cite, poor to lead a summary with."""
    words = re.findall(r"[A-Za-z]+", text)
    capitals = sum(w[0].isupper() for w in words[1:])
    return len(words) >= 10 and capitals * 20 <= len(words)


def _article_span(article: Article) -> tuple[int, int]:
    lines = [article.first_line, article.last_line, *(p.line for p in article.paragraphs)]
    return min(lines), max(lines)


def _sources(sentences: list[_Sentence], cited: list[int]) -> list[Source]:
    """One Source per cited article, numbered in corpus order."""
    articles: dict[tuple[str, int], Article] = {}
    for i in sorted(set(cited), key=lambda i: sentences[i].order):
        article = sentences[i].article
        articles.setdefault((article.file, _article_span(article)[0]), article)
    out: list[Source] = []
    for n, article in enumerate(articles.values(), start=1):
        first, last = _article_span(article)
        out.append(
            Source(
                id=f"s{n}",
                outlet=article.outlet or UNKNOWN_OUTLET,
                title=article.title.strip(),
                date=article.date,
                file=article.file,
                first_line=first,
                last_line=last,
                also=article.also,
            )
        )
    return out


def _cased_forms(texts: Iterable[str]) -> dict[str, str]:
    """lowercase word -> how the topic's sentences usually write it ("kursk" -> "Kursk")."""
    seen: dict[str, Counter[str]] = {}
    for text in texts:
        for word in re.findall(r"[^\W\d_][\w\-]*", text):
            seen.setdefault(word.lower(), Counter())[word] += 1
    return {w: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for w, c in seen.items()}


def example_questions(
    speakers: list[str], people: list[str], places: list[str], keywords: list[str], text: str
) -> list[str]:
    """Questions this brief answers, from templates (they are not cited, so not quoted).

    `keywords` come as the articles write them, so capitalised ones are names.
    """
    out: list[str] = []
    names = [k for k in keywords if k[:1].isupper()]
    subject = names[0] if names else (keywords[0] if keywords else None)
    if len(names) >= 2 and f"{names[0]} {names[1]}" in text:
        subject = f"{names[0]} {names[1]}"  # "North Korea", "Sri Lanka": one name
        out.append(f"What is happening with {subject}?")
    elif len(names) >= 2:
        out.append(f"What is happening with {names[0]} and {names[1]}?")
    elif names:
        out.append(f"What is happening with {names[0]}?")
    said: list[str] = []
    for speaker in speakers:
        surname = speaker.split()[-1]
        if all(s.split()[-1] != surname for s in said):
            said.append(speaker)
    for speaker in said[:2]:
        if subject:
            out.append(f"What did {speaker} say about {subject}?")
    # In case the speakers never speak of the subject itself (the build keeps the questions
    # the engine answers: bot.build.askable).
    out.extend(f"What did {speaker} say?" for speaker in said[:2])
    if places and places[0] != subject:
        out.append(f"What is the latest from {places[0]}?")
    if people:
        out.append(f"Who is {people[0]}?")
    return out
