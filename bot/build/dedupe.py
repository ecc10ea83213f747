"""Stage 3 of the build: the same paragraph or article in several places is kept once.

Pages are syndicated and scraped with their neighbours' snippets, so one paragraph can turn
up in several articles and files. Articles are visited in sorted file/line order; the first
place a paragraph appears keeps it, and every later place is remembered in its
`Paragraph.also` ("seeds/x.txt:12") instead of being kept again.

Two paragraphs are the same when their words match once case, punctuation and whitespace are
set aside, or when nearly all the word 4-grams of one are in the other: that covers a teaser
cut short with "...", a quote set as a highlight bullet above the paragraph it comes from, and
a syndicated copy with a word changed. Paragraphs too short to have four 4-grams must match
exactly. An article left with no paragraph of its own is merged into the article holding most
of its text, in that article's `also`.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from itertools import chain

from rapidfuzz import fuzz

from bot.build.article import Article

__all__ = ["DedupeResult", "dedupe", "same_text_key"]

_WORD = re.compile(r"[^\W_]+")
_CUT = re.compile(r"(?:\.{2,}|…)\s*$")
_Shingle = tuple[str, str, str, str]  # four words in a row
_MIN_SHINGLES = 4  # below this, only an exact match counts
_CONTAINED = 0.8  # share of the shorter paragraph's shingles found in the longer one
_OVERLAP = 0.5  # ... or at least this share, and the words nearly the same in order:
_RATIO = 85.0  # rapidfuzz ratio over the two word sequences
_COMMON = 200  # a shingle in more paragraphs than this says nothing about any two of them


@dataclass(frozen=True, kw_only=True)
class DedupeResult:
    articles: list[Article]
    merged: int  # paragraph places folded into another (articles merged are counted within)


def same_text_key(text: str) -> tuple[str, ...]:
    """The words of a paragraph, case folded, without punctuation or a trailing '...' cut."""
    return tuple(_WORD.findall(_CUT.sub("", text).casefold()))


def dedupe(articles: list[Article]) -> DedupeResult:
    """Keep each paragraph once, at its first place; see the module docstring."""
    ordered = sorted(articles, key=lambda a: (a.file, a.title_line))
    index = _Index()
    # (article k, paragraph j) -> where the kept copy is: (article k', paragraph j')
    home: dict[tuple[int, int], tuple[int, int]] = {}
    for k, article in enumerate(ordered):
        for j, paragraph in enumerate(article.paragraphs):
            key = same_text_key(paragraph.text)
            shingles = _shingles(key)
            original = index.find(key, shingles)
            if original is None:
                index.add(key, shingles, (k, j))
            else:
                home[(k, j)] = original

    also: dict[tuple[int, int], list[str]] = defaultdict(list)
    for (k, j), original in home.items():
        also[original].append(f"{ordered[k].file}:{ordered[k].paragraphs[j].line}")
    article_also: dict[int, list[str]] = defaultdict(list)
    empty: set[int] = set()
    for k, article in enumerate(ordered):
        if article.paragraphs and all((k, j) in home for j in range(len(article.paragraphs))):
            owners = Counter(home[(k, j)][0] for j in range(len(article.paragraphs)))
            # Most of its text, then the earliest place: deterministic.
            target = min(owners, key=lambda o: (-owners[o], o))
            article_also[target].append(f"{article.file}:{article.title_line}")
            empty.add(k)

    result = []
    for k, article in enumerate(ordered):
        if k in empty:
            continue
        paragraphs = tuple(
            replace(p, also=(*p.also, *also.get((k, j), ())))
            for j, p in enumerate(article.paragraphs)
            if (k, j) not in home
        )
        result.append(
            replace(article, paragraphs=paragraphs, also=(*article.also, *article_also.get(k, ())))
        )
    return DedupeResult(articles=result, merged=len(home))


class _Index:
    """Kept paragraphs, findable by exact key and by shared word 4-grams."""

    def __init__(self) -> None:
        self._exact: dict[tuple[str, ...], tuple[int, int]] = {}
        self._postings: dict[_Shingle, list[int]] = defaultdict(list)
        self._shingles: list[frozenset[_Shingle]] = []
        self._places: list[tuple[int, int]] = []
        self._keys: list[tuple[str, ...]] = []

    def find(self, key: tuple[str, ...], shingles: frozenset[_Shingle]) -> tuple[int, int] | None:
        """The first kept place of this paragraph's text, or None when it is new."""
        if not key:
            return None
        if key in self._exact:
            return self._exact[key]
        if len(shingles) < _MIN_SHINGLES:
            return None
        postings = self._postings
        shared = Counter(
            chain.from_iterable(
                posting
                for posting in (postings.get(s, ()) for s in shingles)
                if len(posting) <= _COMMON
            )
        )
        best = None
        for candidate, count in shared.items():
            other = self._shingles[candidate]
            if len(other) < _MIN_SHINGLES or (best is not None and candidate > best):
                continue
            share = count / min(len(shingles), len(other))
            if share >= _CONTAINED or (share >= _OVERLAP and self._close(key, candidate)):
                best = candidate
        return None if best is None else self._places[best]

    def _close(self, key: tuple[str, ...], candidate: int) -> bool:
        """A syndicated copy with a few words changed ("more than $5bn" / "over $5 billion")."""
        other = self._keys[candidate]
        return fuzz.ratio(key, other, processor=None, score_cutoff=_RATIO) >= _RATIO

    def add(
        self, key: tuple[str, ...], shingles: frozenset[_Shingle], place: tuple[int, int]
    ) -> None:
        if not key:
            return
        self._exact.setdefault(key, place)
        n = len(self._places)
        self._places.append(place)
        self._keys.append(key)
        self._shingles.append(shingles)
        for shingle in shingles:
            self._postings[shingle].append(n)


def _shingles(key: tuple[str, ...]) -> frozenset[_Shingle]:
    return frozenset(zip(key, key[1:], key[2:], key[3:], strict=False))
