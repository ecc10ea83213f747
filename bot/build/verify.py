"""Every sentence of every brief is in the seed line it cites, or the build fails.

The check that makes "extractive only" a fact rather than a promise: for each cited item, its
text with whitespace normalised must occur in the cited line of the cited file, also with
whitespace normalised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.briefs import Brief
from bot.errors import BuildError


def squash(text: str) -> str:
    return " ".join(text.split())


def verify_citations(briefs: Sequence[Brief], lines: Mapping[str, Mapping[int, str]]) -> int:
    """Check every cited sentence against `lines` (file -> line number -> the line, or the
    wrapped paragraph starting there); return how many."""
    checked = 0
    for brief in briefs:
        for section in ("summary", "facts", "quotes", "timeline", "details"):
            for i, item in enumerate(getattr(brief, section)):
                source = brief.source(item.source)
                file_lines = lines.get(source.file)
                where = f"{brief.slug}: {section}[{i}] cites {source.file}:{item.line}"
                if file_lines is None or item.line not in file_lines:
                    raise BuildError(f"{where}, which does not exist")
                if squash(item.text) not in squash(file_lines[item.line]):
                    raise BuildError(
                        f"{where}, but that line does not contain {item.text[:60]!r}; "
                        "this is a bug in the build, please report it"
                    )
                checked += 1
    return checked
