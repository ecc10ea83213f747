"""The build, stage by stage: seeds/ -> briefs/.

    0. read       every .txt file under the seeds folder, line by line; a file wrapped at a
                  fixed width gets one line per paragraph (unwrap), a Markdown file is read
                  as its text (markdown)
    1. segment    each file into articles (headline, outlet, date, byline, line span)
    2. clean      drop what is not article text, counting lines dropped by reason
    3. dedupe     keep a repeated article or paragraph once, remembering where else it was
    4. topics     discover the topics from the articles themselves
    5. summarize  one extractive brief per topic, every sentence cited
    6. ask        keep the example questions the engine answers from their own brief
    7. verify     every cited sentence is in the seed line (or wrapped paragraph) it cites
    8. write      all briefs and the index, swapped in at once

Each stage is a function of (inputs, options) in its own module. Anything wrong with the
input surfaces as a BuildError that names the file and line; nothing is written unless every
stage succeeded.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

from tqdm import tqdm

from bot.build.article import Article
from bot.build.askable import answerable_questions
from bot.build.clean import clean
from bot.build.dedupe import dedupe
from bot.build.markdown import plain
from bot.build.read import read_seeds
from bot.build.report import BuildReport, TopicLine
from bot.build.segment import segment
from bot.build.summarize import SummaryOptions, summarize
from bot.build.topics import TopicOptions, discover_topics
from bot.build.unwrap import unwrap
from bot.build.verify import verify_citations
from bot.build.write import build_settings, corpus_fingerprint, seed_files, write_briefs
from bot.config import Config
from bot.errors import BuildError


def run(config: Config, *, seeds: Path, out: Path, progress: bool = True) -> BuildReport:
    """Build the briefs of `seeds` into `out`; see the module docstring for the stages."""
    started = time.perf_counter()
    # 0. read
    files = read_seeds(seeds)
    physical_lines = sum(len(f.lines) for f in files)
    files = [plain(unwrap(f)) for f in files]
    if not files:
        raise BuildError(f"{seeds}: no .txt seed files found; put the news articles there")
    found = 0
    dropped: Counter[str] = Counter()
    articles: list[Article] = []
    bar = tqdm(files, desc="reading", unit="file", disable=not progress, file=sys.stderr)
    for file in bar:
        # 1. segment
        for raw in segment(file):
            found += 1
            # 2. clean
            result = clean(raw)
            dropped.update(result.dropped)
            if result.article is not None:
                articles.append(result.article)
    if not articles:
        raise BuildError(
            f"{seeds}: no article text found in {len(files)} file(s); "
            "the seeds should hold news articles as plain text"
        )
    # 3. dedupe
    deduped = dedupe(articles)
    # 4. topics
    topic_set = discover_topics(
        deduped.articles, TopicOptions.from_config(config.build), config.topics
    )
    if not topic_set.topics:
        raise BuildError(
            f"{seeds}: no topic has {config.build.min_topic_sentences} or more informative "
            "sentences; add articles or lower build.min_topic_sentences in config.yaml"
        )
    # 5. summarize
    options = SummaryOptions.from_config(config.build)
    briefs = [
        summarize(topic, topic_set.idf, options)
        for topic in tqdm(
            topic_set.topics,
            desc="summarizing",
            unit="topic",
            disable=not progress,
            file=sys.stderr,
        )
    ]
    # 6. ask
    briefs = answerable_questions(briefs, config.matching)
    # 7. verify
    lines = {f.rel: {line.number: line.text for line in f.lines} for f in files}
    verified = verify_citations(briefs, lines)
    # 8. write
    write_briefs(briefs, corpus_fingerprint(seed_files(seeds), build_settings(config)), out)
    return BuildReport(
        seeds=seeds,
        out=out,
        files=len(files),
        lines=physical_lines,
        articles_found=found,
        articles_kept=len(articles),
        articles_distinct=len(deduped.articles),
        dropped=dropped,
        duplicates_merged=deduped.merged,
        articles_without_topic=topic_set.unassigned,
        stories_split_off=topic_set.split_off,
        windows_1252=tuple(f.rel for f in files if f.encoding != "utf-8"),
        topics=tuple(
            TopicLine(
                slug=b.slug,
                title=b.title,
                sentences=sum(1 for _ in b.cited()),
                sources=len(b.sources),
            )
            for b in briefs
        ),
        sentences_verified=verified,
        seconds=time.perf_counter() - started,
    )
