"""Brief sets made in code for the matcher's and the engine's specifications: each brief holds
one article whose sentences follow each other, as the build writes them."""

from __future__ import annotations

from bot.briefs import Brief, BriefSet, Cited, Index, IndexEntry, Source


def articles(*briefs: tuple[str, list[str]], outlet: str = "Outlet") -> BriefSet:
    """One brief per (title, sentences): slug "t" when there is one, else "a", "b", ..."""
    slugs = ["t"] if len(briefs) == 1 else [chr(ord("a") + i) for i in range(len(briefs))]
    by_slug: dict[str, Brief] = {}
    entries = []
    for slug, (title, sentences) in zip(slugs, briefs, strict=True):
        source = Source(
            id=f"s-{slug}",
            outlet=outlet,
            title=title,
            date=None,
            file=f"seeds/{slug}.txt",
            first_line=1,
            last_line=len(sentences),
        )
        by_slug[slug] = Brief(
            slug=slug,
            title=title,
            summary=(),
            details=tuple(
                Cited(text=text, source=source.id, line=i + 1) for i, text in enumerate(sentences)
            ),
            sources=(source,),
        )
        entries.append(IndexEntry.of(by_slug[slug]))
    return BriefSet(briefs=by_slug, index=Index(corpus="x", topics=tuple(entries)), version="x")


def article(title: str, sentences: list[str], outlet: str = "Outlet") -> BriefSet:
    """One brief of one article."""
    return articles((title, sentences), outlet=outlet)


def topic(title: str, *stories: tuple[str, list[str]], keywords: tuple[str, ...] = ()) -> BriefSet:
    """One brief "t" of several articles (headline, sentences), as the build merges a topic,
    whose summary is the first two sentences of the first article."""
    sources = []
    details: list[Cited] = []
    line = 1
    for n, (headline, sentences) in enumerate(stories):
        sources.append(
            Source(
                id=f"s{n}",
                outlet="Outlet",
                title=headline,
                date=None,
                file="seeds/t.txt",
                first_line=line,
                last_line=line + len(sentences) - 1,
            )
        )
        for text in sentences:
            details.append(Cited(text=text, source=f"s{n}", line=line))
            line += 1
    brief = Brief(
        slug="t",
        title=title,
        summary=tuple(details[:2]),
        details=tuple(details[2:]),
        sources=tuple(sources),
        keywords=keywords,
    )
    return BriefSet(
        briefs={"t": brief}, index=Index(corpus="x", topics=(IndexEntry.of(brief),)), version="x"
    )
