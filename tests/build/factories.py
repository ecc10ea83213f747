"""Hand-made inputs for the build stages' tests: a seed page, an Article."""

from collections.abc import Sequence
from pathlib import Path

from bot.build.article import Article, Paragraph
from bot.build.read import SeedFile, decode_lines


def seed_page(text: str, rel: str = "seeds/page.txt") -> SeedFile:
    """A seed file holding `text`, its lines read as `read_seeds` reads a file's."""
    return SeedFile(path=Path(rel), rel=rel, lines=decode_lines(text.encode("utf-8"), rel))


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
