"""How well the build tells articles apart when a page runs them on with no break.

    .venv/bin/python bench/glued.py [--bbc ../shared/corpora/bbc-news] [--pages 40] [--runs 3]

Scraped pages put several articles in one file. Where a menu, a credit line or a Title Case
headline sits between them the segmenter splits them; BBC-style sentence-case headlines
between plain paragraphs read like subheadings. This glues real BBC articles five to a page, a
blank line apart (a random draw per run), cleans them as the build does and counts the true
headlines that head an article of their own: with the split at headings (`bot/build/shift.py`)
and, side by side, without it (the headings dropped, as before that step).

With `--wrap N` every paragraph is also hard-wrapped at N columns, as a browser dump or an
HTML-to-text tool saves a page; the side-by-side baseline is then the build without the unwrap
step (`bot/build/unwrap.py`). With `--markdown` the pages are written as Markdown (a menu of
links, "# headline", a picture, paragraphs with a link in them, a share link); the baseline is
then the build without the Markdown step (`bot/build/markdown.py`). The paragraphs kept are
counted too.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.build.article import Article  # noqa: E402
from bot.build.clean import clean  # noqa: E402
from bot.build.markdown import plain  # noqa: E402
from bot.build.read import SeedFile, decode_lines  # noqa: E402
from bot.build.segment import segment  # noqa: E402
from bot.build.topics import split_stories  # noqa: E402
from bot.build.unwrap import unwrap  # noqa: E402


def pages(
    files: list[Path], count: int, per_page: int, wrap: int | None = None, markdown: bool = False
) -> list[tuple[SeedFile, list[str]]]:
    out = []
    for k in range(count):
        texts = [
            f.read_text(encoding="utf-8").strip() for f in files[k * per_page : (k + 1) * per_page]
        ]
        rel = f"seeds/{k:03d}.txt"
        page = "\n\n".join(_markdown(t) for t in texts) if markdown else "\n\n".join(texts)
        if markdown:
            page = "[Home](https://news.example/) | [World](https://news.example/world)\n\n" + page
        if wrap:
            page = "\n\n".join("\n".join(textwrap.wrap(p, wrap)) for p in page.split("\n\n"))
        seed = SeedFile(path=Path(rel), rel=rel, lines=decode_lines(page.encode("utf-8"), rel))
        out.append((seed, [t.splitlines()[0].strip() for t in texts]))
    return out


def _markdown(article: str) -> str:
    headline, *body = [p.strip() for p in article.split("\n\n") if p.strip()]
    linked = [p.replace(" said", " [said](https://news.example/quote)", 1) for p in body]
    return "\n\n".join(
        [
            f"# {headline}",
            "![A photograph](https://news.example/picture.jpg)",
            *linked,
            "[Share on Twitter](https://twitter.com/share)",
        ]
    )


def score(
    glued: list[tuple[SeedFile, list[str]]],
    prepare: Callable[[Article], Article] = lambda a: a,
    read: Callable[[SeedFile], SeedFile] = lambda seed: plain(unwrap(seed)),
) -> tuple[int, int, int, int]:
    articles = [
        prepare(r.article)
        for seed, _ in glued
        for raw in segment(read(seed))
        if (r := clean(raw)).article
    ]
    found = split_stories(articles)
    right = wrong = total = 0
    for seed, heads in glued:
        titles = [a.title for a in found if a.file == seed.rel]
        total += len(heads)
        right += sum(h in titles for h in heads)
        wrong += sum(t not in heads for t in titles)
    return right, wrong, total, sum(len(a.paragraphs) for a in found)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bbc", type=Path, default=ROOT.parent / "shared" / "corpora" / "bbc-news")
    p.add_argument("--pages", type=int, default=40)
    p.add_argument("--per-page", type=int, default=5)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--wrap", type=int, default=None, help="hard-wrap the pages at this width")
    p.add_argument("--markdown", action="store_true", help="write the pages as Markdown")
    args = p.parse_args()
    files = sorted(args.bbc.rglob("*.txt"))
    baseline = "read as is" if args.wrap or args.markdown else "no split at headings"
    print(f"run  the build: headlines found, other titles, paragraphs | {baseline}: the same")
    for run in range(1, args.runs + 1):
        drawn = random.Random(run).sample(files, args.pages * args.per_page)
        glued = pages(drawn, args.pages, args.per_page, args.wrap, args.markdown)
        this = score(glued)
        if args.wrap or args.markdown:
            base = score(glued, read=lambda seed: seed)
        else:
            base = score(glued, prepare=lambda a: dataclasses.replace(a, headings=()))
        print(f"{run:>3}  {_figures(this)} | {_figures(base)}")


def _figures(found: tuple[int, int, int, int]) -> str:
    right, wrong, total, paragraphs = found
    return f"{right}/{total} ({100 * right / total:.1f}%), {wrong}, {paragraphs}"


if __name__ == "__main__":
    main()
