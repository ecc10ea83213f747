"""Stage 2 of the build: a `RawArticle` -> an `Article` of real paragraphs, and what was dropped.

A line is kept when it reads as a paragraph of the article (`shape.is_body`, or a highlight
bullet that is a sentence) and sits in the article's body. Everything else is dropped and
counted under a reason:

    advertisement, prompt, navigation, related, copyright, credit, robot wall, caption
                 the boilerplate table in bot/build/shape.py
    alt text     a short lower-case line ("putin india visit")
    caption      also: a line repeated, longer and credited, just below ("... Getty Images")
    menu         bullets of a few words (section names, tags, share links)
    headline     the headline repeated inside its own article
    heading      a short line that is not a sentence (subheadings, link cards, "The Week")
    byline       "By Eve Sampson"
    metadata     "Updated 04 February 2025"
    fragment     a line too short to be a sentence ("Editor's pick.")
    teaser       text that is not this article's: blurbs under "Recommended Stories" and the
                 like, shopping blurbs ("$100 off ..."), and anything after the article's end

The body ends at a credit line ("X contributed reporting", "Read the original article on"),
a copyright line or a robot wall once a paragraph has been kept: what follows on a scraped
page is the site's furniture and other stories. After a list heading ("Related Stories",
"Latest News") or a menu (two short bullets in a row), a paragraph is kept only when another
follows it: teasers come one blurb at a time, an article's text does not (a list of short
points inside an article is followed by more of its paragraphs).

Kept text is the line with whitespace folded and a leading bullet mark removed, so it is
always found in its seed line (the build verifies every cited sentence that way).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from bot.build.article import Article, Line, Paragraph, RawArticle
from bot.build.shape import (
    boilerplate,
    is_body,
    is_bullet,
    is_headline,
    is_sentence_bullet,
    is_short_bullet,
    is_transparent,
    norm,
    words,
)

__all__ = ["CleanResult", "clean"]

_ENDS = frozenset({"credit", "copyright", "robot wall"})
_BULLET_MARK = re.compile(r"^\s*(?:[•·▪●◦‣*\-–—]\s*|\d{1,2}[.)]\s+)")
_BYLINE = re.compile(r"^By\s+[A-Z][\w.'’-]+(?:\s+[\w.'’-]+){0,5}$")
_METADATA = re.compile(
    r"^(?:Updated|Published|Posted|Last updated|First published)\b[:,]?\s+\S", re.IGNORECASE
)
_CAPTION_LOOKAHEAD = 3
_BLURB_WORDS = 30
# Shopping blurbs ("Save on headphones, $100 off ...") are never world affairs; the words are
# a shop's, not a newsroom's ("a deal" and "arms sales" are news, "20% off" is not).
_SHOPPING = re.compile(
    r"(?:[$£€]\d[\d,.]* off\b|\bbest (?:sales|deals)\b|\bdiscount code|\bcoupon code|\bbuying guide|"
    r"\bfree shipping)",
    re.IGNORECASE,
)


@dataclass(frozen=True, kw_only=True)
class CleanResult:
    article: Article | None  # None when nothing of the article is left
    dropped: Counter[str] = field(default_factory=Counter)  # reason -> lines dropped


def clean(raw: RawArticle) -> CleanResult:
    """Keep the paragraphs of `raw` that are its article's text; count the rest by reason."""
    lines = [line for line in raw.lines if norm(line.text)]
    title = norm(raw.title).casefold()
    captions = _captions(lines)
    dropped: Counter[str] = Counter()
    kept: list[Paragraph] = []
    headings: list[Paragraph] = []
    ended = in_list = False
    for k, line in enumerate(lines):
        text = line.text
        reason = _noise(text, title, line.number in captions)
        if not ended and kept and reason in _ENDS:
            ended = True
        if ended:
            # Past the end, a headline or a paragraph is another story's.
            dropped["teaser" if reason in (None, "heading") else reason] += 1
            continue
        if reason == "related" or (kept and _menu_starts(lines, k)):
            in_list = True
        if reason is not None:
            dropped[reason] += 1
            if reason == "heading" and kept and not in_list:
                headings.append(Paragraph(line=line.number, text=norm(text)))
            continue
        if in_list:
            if not _body_follows(lines, k):
                dropped["teaser"] += 1
                continue
            in_list = False  # two paragraphs in a row: the article's text goes on
        kept.append(Paragraph(line=line.number, text=norm(_BULLET_MARK.sub("", text, count=1))))
    if not kept:
        return CleanResult(article=None, dropped=dropped)
    article = Article(
        id=f"{raw.file}:{raw.title_line}",
        file=raw.file,
        title=raw.title,
        title_line=raw.title_line,
        outlet=raw.outlet,
        date=raw.date,
        byline=raw.byline,
        first_line=raw.title_line,
        last_line=kept[-1].line,
        paragraphs=tuple(kept),
        headings=tuple(h for h in headings if h.line < kept[-1].line),
    )
    return CleanResult(article=article, dropped=dropped)


def _noise(text: str, title: str, caption: bool) -> str | None:
    """Why this line is not a paragraph of the article, or None when it may be one."""
    line = norm(text)
    reason = boilerplate(text)
    if reason is not None:
        return reason
    if caption:
        return "caption"
    if is_transparent(text):
        return "alt text"
    if is_bullet(text):
        return None if is_sentence_bullet(text) else "menu"
    if line.casefold() == title:
        return "headline"
    if _BYLINE.match(line):
        return "byline"
    if _METADATA.match(line):
        return "metadata"
    if _SHOPPING.search(line) and len(words(line)) <= _BLURB_WORDS:
        return "teaser"
    if is_body(text):
        return None
    return "heading" if is_headline(text) else "fragment"


def _captions(lines: list[Line]) -> set[int]:
    """Lines that a credited caption just below repeats: the caption's uncredited copy."""
    found: set[int] = set()
    for k, line in enumerate(lines):
        if boilerplate(line.text) != "caption":
            continue
        text = norm(line.text)
        for earlier in lines[max(0, k - _CAPTION_LOOKAHEAD) : k]:
            head = norm(earlier.text)
            if len(head) >= 20 and text.startswith(head.rstrip(".")):
                found.add(earlier.number)
    return found


def _menu_starts(lines: list[Line], k: int) -> bool:
    """Whether line k opens a menu: a short bullet followed by another."""
    return (
        is_short_bullet(lines[k].text) and k + 1 < len(lines) and is_short_bullet(lines[k + 1].text)
    )


def _body_follows(lines: list[Line], k: int) -> bool:
    """Whether line k is a paragraph with another right after it (alt text and ads aside),
    or the article's last line; bullets under a list heading are the list's entries."""
    if not is_body(lines[k].text):
        return False
    for line in lines[k + 1 :]:
        if is_transparent(line.text):
            continue
        return is_body(line.text) and boilerplate(line.text) is None
    return True  # the article's last paragraph: no teaser run follows it
