"""Stage 0b of the build: a hard-wrapped seed file -> one line per paragraph.

Pages saved as text by a browser dump or an HTML-to-text tool (lynx -dump, html2text) are
wrapped at a fixed width, so one paragraph spans several lines. Every later stage reads a line
as a paragraph: the headline-and-body shape, sentences, citations. A file is taken as wrapped
when most of its lines stop short of one width (`wrap_width`); a line there is joined to the
next when the next line's first word would not have fitted on it: that is why the wrapper broke
it. A line with room to spare ends its paragraph, as do blank lines, indented or bulleted lines.
Files of one paragraph a line, like the seeds, have lines far longer than any wrap width and
are left as they are.

The joined paragraph keeps the number of its first line, so a citation points where the
paragraph starts; its other lines are gone from the file's logical lines (their numbers are
skipped, never reused).
"""

from __future__ import annotations

import dataclasses
import re

from bot.build.article import Line
from bot.build.read import SeedFile

# The widths a file may be wrapped at (72, 76, 78 and 80 columns are the usual ones).
MIN_WIDTH = 50
MAX_WIDTH = 120
# Only a file with this many text lines tells its width.
MIN_LINES = 12
# Wrapped: this share of the text lines ends within SLACK columns of the width.
NEAR_SHARE = 0.3
SLACK = 20
# Wrapped: at most this share of those lines ends a sentence.
MAX_ENDED_SHARE = 0.5
_SENTENCE_END = (".", "!", "?", '"', "”", "’", "'", ")", ":")
_BULLET = re.compile(r"^\s*(?:[-*•·▪–]|\d+[.)])\s")


def wrap_width(lines: tuple[Line, ...]) -> int | None:
    """The width the file was wrapped at, or None when it was not wrapped."""
    texts = [line.text.rstrip() for line in lines if line.text.strip()]
    lengths = sorted(len(t) for t in texts)
    if len(lengths) < MIN_LINES:
        return None
    width = lengths[int(0.95 * (len(lengths) - 1))]
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        return None
    near = [t for t in texts if width - SLACK <= len(t) <= width]
    # A wrapper breaks lines mid-sentence; lines that are paragraphs of their own mostly end
    # one (a list of teasers or captions under the width is not wrapped text).
    ended = sum(t.endswith(_SENTENCE_END) for t in near)
    if len(near) < NEAR_SHARE * len(texts) or ended > MAX_ENDED_SHARE * len(near):
        return None
    return width


def unwrap(file: SeedFile) -> SeedFile:
    """`file` with each wrapped paragraph on one line (numbered as its first line)."""
    width = wrap_width(file.lines)
    if width is None:
        return file
    out: list[Line] = []
    lines = file.lines
    for k, line in enumerate(lines):
        if k and out and _continues(line.text, lines[k - 1].text, width):
            out[-1] = dataclasses.replace(out[-1], text=_join(out[-1].text, line.text))
        else:
            out.append(line)
    return dataclasses.replace(file, lines=tuple(out))


def _continues(nxt: str, text: str, width: int) -> bool:
    """Whether `nxt` goes on with the paragraph of `text`, the line before it: the wrapper
    broke that line because the first word of `nxt` would not fit."""
    if not nxt.strip() or not text.strip() or _BULLET.match(nxt):
        return False
    # An indented line starts a paragraph (or a quotation), unless it hangs under a bullet.
    if nxt[:1].isspace() != text[:1].isspace() and not (_BULLET.match(text) and nxt[:1] == " "):
        return False
    first = nxt.split()[0]
    return len(text.rstrip()) + 1 + len(first) > width


def _join(text: str, nxt: str) -> str:
    head = text.rstrip()
    # A word broken at its hyphen ("Ballymena-" / "born") is one word again.
    if head.endswith("-") and head[-2:-1].isalpha() and nxt.lstrip()[:1].isalpha():
        return head + nxt.strip()
    return f"{head} {nxt.strip()}"
