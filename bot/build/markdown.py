"""Stage 0c of the build: a seed file saved as Markdown -> the text a reader sees.

Scrapers that save pages as Markdown (a reader mode, an HTML-to-Markdown tool) mark headlines
with "#", links as "[words](address)", pictures as "![alt text](address)" and emphasis with
"*" or "_". Read as they are, a headline does not look like one and every sentence with a link
carries its address. In a file that uses these marks (`is_markdown`), each line is read as its
text: a heading's words, a link's words, no picture, no emphasis marks, no quote marker; a line
of nothing but links (a menu, a share bar, a list of other stories) is read as blank.
Plain-text files, like the seeds, are left as they are.

A line keeps its number, so citations still point at the line the text is on; verification
checks a sentence against the line as read here. A line that was markup alone is left out with
the blank line after it, so the breaks between paragraphs stay as they were.
"""

from __future__ import annotations

import dataclasses
import re

from bot.build.article import Line
from bot.build.read import SeedFile

# A file is Markdown when it has this many of its marks (headings, links, pictures).
MIN_MARKS = 3

_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
# "[words](address)", "[words](address "title")", "[words][ref]".
_LINK = re.compile(r"\[([^\]]+)\](?:\((?:[^()\s]|\([^)]*\))*(?:\s+\"[^\"]*\")?\)|\[[^\]]*\])")
# What tells a Markdown file: headings, pictures and links with an address ("[1][2]" footnote
# marks in plain text are no sign).
_MARKS = (_HEADING, _IMAGE, re.compile(r"\[[^\]]+\]\([^)\s]+"))
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(
    r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])"
)
_QUOTE = re.compile(r"^ {0,3}>[ \t]?")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_SEPARATORS = re.compile(r"[\s|·•/,;:>»–-]+")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s+\S+")


def is_markdown(lines: tuple[Line, ...]) -> bool:
    """Whether the file marks its headings, links or pictures the Markdown way."""
    found = 0
    for line in lines:
        found += sum(len(mark.findall(line.text)) for mark in _MARKS)
        if found >= MIN_MARKS:
            return True
    return False


def plain(file: SeedFile) -> SeedFile:
    """`file` with each line read as its text when the file is Markdown."""
    if not is_markdown(file.lines):
        return file
    out: list[Line] = []
    gone = False  # the line before was markup alone (a picture, a menu of links)
    for line in file.lines:
        text = text_of(line.text)
        if not text and line.text.strip():
            # Gone with the blank line after it, so that no gap opens where there was none.
            gone = not out or not out[-1].text
            continue
        if gone and not text:
            gone = False
            continue
        gone = False
        out.append(dataclasses.replace(line, text=text))
    return dataclasses.replace(file, lines=tuple(out))


def text_of(line: str) -> str:
    """One Markdown line as the text a reader sees."""
    if _RULE.match(line) or _LINK_DEFINITION.match(line):
        return ""
    heading = _HEADING.match(line)
    if heading:
        line = heading.group(1)
    line = _QUOTE.sub("", line)
    line = _IMAGE.sub("", line)
    if _LINK.search(line) and not _SEPARATORS.sub("", _LINK.sub("", line)):
        return ""  # nothing but links: a menu, a share bar, a list of other stories
    line = _LINK.sub(r"\1", line)
    line = _STRONG.sub(r"\2", line)
    line = _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), line)
    return line.rstrip() if line.strip() else ""
