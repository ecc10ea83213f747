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
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Callable, Sequence

from bot.build.article import Article
from bot.build.sentences import split_sentences

# Each part needs this many paragraphs: a short coda or a box-out is no second story.
MIN_PART_PARAGRAPHS = 8
# Cut only where the parts are this dissimilar (cosine of their TF-IDF vectors) ...
MAX_PART_SIMILARITY = 0.08
# ... and the headline is about this unrelated to the part after.
MAX_HEADLINE_SIMILARITY = 0.02
# A split-off part's title: its first sentence, at most this long.
TITLE_CHARS = 80

Terms = Callable[[str], list[str]]


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


def split_all(articles: Sequence[Article], terms: Terms, idf: dict[str, float]) -> list[Article]:
    """Every article, with those that run two stories together split into their parts."""
    return [part for article in articles for part in split_at_shifts(article, terms, idf)]
