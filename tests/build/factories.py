"""A hand-made Article for the build stages' tests."""

from collections.abc import Sequence

from bot.build.article import Article, Paragraph


def make_article(file: str, paragraphs: Sequence[str], *, title: str, line: int = 1) -> Article:
    """An article whose headline is on `line` and whose paragraphs follow one per line."""
    return Article(
        id=f"{file}:{line}",
        file=file,
        title=title,
        title_line=line,
        outlet=None,
        date=None,
        byline=None,
        first_line=line,
        last_line=line + len(paragraphs),
        paragraphs=tuple(Paragraph(line=line + 1 + i, text=t) for i, t in enumerate(paragraphs)),
    )
