"""The article, as the build's stages hand it to each other.

segment -> `RawArticle` (every line of the article's span, noise included)
clean   -> `Article` (only paragraphs of real article text, with drop counts by reason)
dedupe  -> `Article`s whose repeated paragraphs are kept once, with the other places in `also`
topics / summarize read `Article`s and cite `Paragraph.line`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Line:
    number: int  # 1-based line number in the seed file
    text: str  # the line as read, without the trailing newline


@dataclass(frozen=True, kw_only=True)
class RawArticle:
    file: str  # path as cited: "seeds/000_x.txt" (relative to the seeds folder's parent)
    title: str
    title_line: int
    outlet: str | None
    date: str | None  # ISO yyyy-mm-dd (or yyyy-mm) when stated or inferable
    byline: str | None
    lines: tuple[Line, ...]  # the body's lines, first to last, noise included


@dataclass(frozen=True, kw_only=True)
class Paragraph:
    line: int  # 1-based line in Article.file
    text: str  # the line's text, whitespace-normalised, never rewritten otherwise
    # Other places the same paragraph appears, "seeds/x.txt:12" (filled by dedupe).
    also: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Article:
    id: str  # stable within a corpus: "<file>:<title_line>"
    file: str
    title: str
    title_line: int
    outlet: str | None
    date: str | None
    byline: str | None
    first_line: int
    last_line: int
    paragraphs: tuple[Paragraph, ...]
    # Other places the whole article appears (syndicated or repeated copies), "seeds/x.txt:12".
    also: tuple[str, ...] = ()
    # Headline-shaped lines between its paragraphs: subheadings, or the headline of another
    # story that the page runs on with no break (`shift` tells which).
    headings: tuple[Paragraph, ...] = ()
