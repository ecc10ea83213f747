"""What a build did, in numbers, printed at the end of `briefbot build`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, kw_only=True)
class TopicLine:
    slug: str
    title: str
    sentences: int  # distinct cited sentences in the brief
    sources: int  # articles the brief cites


@dataclass(frozen=True, kw_only=True)
class BuildReport:
    seeds: Path
    out: Path
    files: int
    lines: int
    articles_found: int  # segments before cleaning
    articles_kept: int  # articles with real text after cleaning
    articles_distinct: int  # after duplicates are merged
    dropped: Counter[str] = field(default_factory=Counter)  # lines dropped, by reason
    duplicates_merged: int = 0
    articles_without_topic: int = 0
    stories_split_off: int = 0  # stories a page ran on inside another article, told apart
    windows_1252: tuple[str, ...] = ()  # seed files that were not UTF-8, read as Windows-1252
    topics: tuple[TopicLine, ...] = ()
    sentences_verified: int = 0
    seconds: float = 0.0

    @property
    def stories(self) -> int:
        return self.articles_distinct + self.stories_split_off

    @property
    def sentences_kept(self) -> int:
        return sum(t.sentences for t in self.topics)

    def format(self) -> str:
        """The report as a few aligned lines for the terminal."""
        rows = [
            f"Built {len(self.topics)} briefs in {self.out} from {self.seeds} "
            f"in {self.seconds:.1f} s",
            f"  files read          {self.files} ({self.lines} lines)",
            *(
                [
                    f"  not UTF-8           {', '.join(self.windows_1252)}: read as Windows-1252; "
                    "save as UTF-8 if a character looks wrong"
                ]
                if self.windows_1252
                else []
            ),
            f"  articles found      {self.articles_found}, with real text {self.articles_kept}",
            f"  lines dropped       {sum(self.dropped.values())}"
            + (
                " (" + ", ".join(f"{r} {n}" for r, n in sorted(self.dropped.items())) + ")"
                if self.dropped
                else ""
            ),
            f"  duplicates merged   {self.duplicates_merged}",
            *(
                [f"  stories split off   {self.stories_split_off} (run on inside another article)"]
                if self.stories_split_off
                else []
            ),
            f"  articles in topics  {self.stories - self.articles_without_topic} of {self.stories}",
            f"  sentences kept      {self.sentences_kept}, every one verified against its "
            "seed line",
            "  topics:",
        ]
        width = max((len(t.slug) for t in self.topics), default=0)
        for t in self.topics:
            rows.append(
                f"    {t.slug:<{width}}  {t.sentences:>4} sentences, {t.sources:>2} sources  "
                f"{t.title}"
            )
        return "\n".join(rows)
