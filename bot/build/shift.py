"""Topic shifts inside one article: a page that runs a second story on without its headline.

A scraped page can glue an unrelated, headless story to the end of an article ("Mr. Hegseth
took no questions." then "The family of four refugees filled seven suitcases ..."). Left whole,
the two make one muddled topic. As in TextTiling (Hearst 1997), lexical cohesion tells: two
parts of one story share its names and words, two stories share almost none. For every gap
with enough paragraphs on both sides, the TF-IDF cosine of the part before (with the headline)
and the part after is measured; the article is cut at the lowest one only when that is very low
AND the headline announces nothing of the part after. Ordinary articles that move on to a
subheading's subtopic keep well above that (the lowest on the 1,297 BBC articles is 0.17).
The split-off part is titled by its first sentence, cut at a word boundary.

A page can also run whole articles on with no break, each under a headline in sentence case,
which reads like a subheading ("Hollywood hunts hits at Sundance" right after a paragraph on
JP Morgan). `clean` keeps such lines (`Article.headings`), and the article is cut at one when
the section under it names almost none of the people and places of the story so far and shares
little else with it; that part is titled by the line. A subheading's section goes on naming the
story's names. `bench/glued.py` measures both on BBC articles glued five to a page.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Callable, Sequence

from bot.build.article import Article, Paragraph
from bot.build.sentences import split_sentences

# Each part needs this many paragraphs: a short coda or a box-out is no second story.
MIN_PART_PARAGRAPHS = 8
# Cut only where the parts are this dissimilar (cosine of their TF-IDF vectors) ...
MAX_PART_SIMILARITY = 0.08
# ... and the headline is about this unrelated to the part after.
MAX_HEADLINE_SIMILARITY = 0.02
# A split-off part's title: its first sentence, at most this long.
TITLE_CHARS = 80
# A headline-shaped line inside an article heads another story only when the story so far
# and the section under the line have this many paragraphs each ...
MIN_HEADED_PARAGRAPHS = 2
# ... share at most this share of the names the part with fewer names uses (a subheading's
# section goes on naming the story's people and places: a fifth of them or more in the seeds;
# unrelated BBC stories share "UK" or "Ms") ...
MAX_SHARED_NAMES = 0.15
# ... and are this dissimilar besides (TF-IDF cosine, each part with its headline).
MAX_HEADED_SIMILARITY = 0.10

Terms = Callable[[str], list[str]]
Names = Callable[[str], set[str]]  # the proper names a text uses, lowercased


def split_at_shifts(article: Article, terms: Terms, idf: dict[str, float]) -> list[Article]:
    """`article`, or its parts when it plainly runs two stories together (each part may split
    again)."""
    paras = article.paragraphs
    if len(paras) < 2 * MIN_PART_PARAGRAPHS:
        return [article]
    bags = [Counter(terms(p.text)) for p in paras]
    headline = Counter(terms(article.title))
    best: tuple[float, int] | None = None
    for gap in range(MIN_PART_PARAGRAPHS, len(paras) - MIN_PART_PARAGRAPHS + 1):
        before = sum(bags[:gap], Counter(headline))
        after = sum(bags[gap:], Counter())
        similarity = round(_cosine(before, after, idf), 6)
        if best is None or similarity < best[0]:
            best = (similarity, gap)
    if best is None or best[0] > MAX_PART_SIMILARITY:
        return [article]
    gap = best[1]
    after_bag = sum(bags[gap:], Counter())
    if _cosine(headline, after_bag, idf) > MAX_HEADLINE_SIMILARITY:
        return [article]
    head = dataclasses.replace(
        article, paragraphs=paras[:gap], last_line=max(paras[gap - 1].line, article.title_line)
    )
    first = paras[gap]
    tail = dataclasses.replace(
        article,
        id=f"{article.file}:{first.line}",
        title=first_sentence_title(first.text),
        title_line=first.line,
        byline=None,
        first_line=first.line,
        paragraphs=paras[gap:],
        also=(),
    )
    return [*split_at_shifts(head, terms, idf), *split_at_shifts(tail, terms, idf)]


def split_at_headings(
    article: Article, terms: Terms, idf: dict[str, float], names: Names
) -> list[Article]:
    """`article`, or its parts when a headline-shaped line inside it heads another story (a
    page that runs articles on with no break, under sentence-case headlines a subheading also
    has): the section under the line names almost none of the people and places of the story
    so far, and shares little else with it."""
    if not article.headings:
        return [article]
    paras = article.paragraphs
    bags = [Counter(terms(p.text)) for p in paras]
    named = [names(p.text) for p in paras]
    starts = [sum(p.line < h.line for p in paras) for h in article.headings]
    cuts: list[tuple[int, Paragraph]] = []
    begin, title = 0, article.title
    for k, (heading, gap) in enumerate(zip(article.headings, starts, strict=True)):
        end = next((g for g in starts[k + 1 :] if g > gap), len(paras))
        if min(gap - begin, end - gap) < MIN_HEADED_PARAGRAPHS:
            continue
        named_before = names(title).union(*named[begin:gap])
        named_under = names(heading.text).union(*named[gap:end])
        shared = len(named_before & named_under) / max(1, min(len(named_before), len(named_under)))
        before = sum(bags[begin:gap], Counter(terms(title)))
        section = sum(bags[gap:end], Counter(terms(heading.text)))
        if shared <= MAX_SHARED_NAMES and _cosine(before, section, idf) < MAX_HEADED_SIMILARITY:
            cuts.append((gap, heading))
            begin, title = gap, heading.text
    if not cuts:
        return [article]
    stops = [gap for gap, _ in cuts[1:]] + [len(paras)]

    def inside(own: tuple[Paragraph, ...]) -> tuple[Paragraph, ...]:
        return tuple(h for h in article.headings if own[0].line < h.line < own[-1].line)

    head = paras[: cuts[0][0]]
    parts = [
        dataclasses.replace(
            article, paragraphs=head, headings=inside(head), last_line=head[-1].line
        )
    ]
    for (gap, heading), stop in zip(cuts, stops, strict=True):
        own = paras[gap:stop]
        parts.append(
            dataclasses.replace(
                article,
                id=f"{article.file}:{heading.line}",
                title=heading.text,
                title_line=heading.line,
                byline=None,
                first_line=heading.line,
                last_line=own[-1].line,
                paragraphs=own,
                headings=inside(own),
                also=(),
            )
        )
    return parts


def first_sentence_title(text: str) -> str:
    """A headless story's title: its first sentence, cut at a word boundary if long."""
    sentences = split_sentences(text)
    sentence = " ".join((sentences[0] if sentences else text).split())
    if len(sentence) <= TITLE_CHARS:
        return sentence.rstrip(".")
    cut = sentence[: TITLE_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:—-– ")
    return f"{cut}…"


def _cosine(a: Counter[str], b: Counter[str], idf: dict[str, float]) -> float:
    def weights(bag: Counter[str]) -> dict[str, float]:
        return {t: (1.0 + math.log(n)) * idf.get(t, 0.0) for t, n in bag.items() if n > 0}

    wa, wb = weights(a), weights(b)
    dot = sum(v * wb.get(t, 0.0) for t, v in wa.items())
    na = math.sqrt(sum(v * v for v in wa.values()))
    nb = math.sqrt(sum(v * v for v in wb.values()))
    return dot / (na * nb) if na and nb else 0.0


def split_all(
    articles: Sequence[Article], terms: Terms, idf: dict[str, float], names: Names
) -> list[Article]:
    """Every article, with those that run two stories together split into their parts."""
    return [
        part
        for article in articles
        for headed in split_at_headings(article, terms, idf, names)
        for part in split_at_shifts(headed, terms, idf)
    ]
