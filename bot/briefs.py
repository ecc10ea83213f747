"""Briefs: the typed, validated form of the YAML files in briefs/.

A brief is one topic condensed from the corpus. Every sentence in it is an article's own
sentence and cites where it came from (`Source` + line). The build writes briefs with
`brief_to_dict`; the bot reads them with `load_briefs`, which validates every file before
anything is used, so a broken file never replaces a good set.

Layout of the folder:
    briefs/index.yaml      schema version, corpus fingerprint, the topics in order
    briefs/<slug>.yaml     one brief per topic
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.config import SLUG_RE
from bot.errors import BriefError
from bot.schema import from_mapping

SCHEMA_VERSION = 1
INDEX_FILE = "index.yaml"
# libyaml's C parser and emitter when PyYAML has them: the same documents and bytes, ~10x faster
# (the BBC benchmark's briefs took 9 s to write and read back in pure Python).
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass(frozen=True, kw_only=True)
class Source:
    """One article (deduplicated) that a brief cites."""

    id: str  # "s1", unique within the brief
    outlet: str  # "The New York Times", or "Unknown outlet" when it cannot be told
    title: str  # the article's headline
    date: str | None  # ISO yyyy-mm-dd when stated or inferable
    file: str  # "seeds/000_d182a795cbf2b895.txt", relative to the seeds folder's parent
    first_line: int
    last_line: int
    # Other places the same text appears (syndicated copies, repeated snippets): "seeds/x.txt:12".
    also: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Cited:
    """A sentence copied verbatim from an article, with where it came from."""

    text: str
    source: str  # a Source.id of the same brief
    line: int  # 1-based line of Source.file that holds the sentence


@dataclass(frozen=True, kw_only=True)
class Fact(Cited):
    kind: str = "statement"  # number | date | decision | statement


@dataclass(frozen=True, kw_only=True)
class Quote(Cited):
    """Who said what: `text` is the whole sentence, `quote` the words in quotation marks."""

    speaker: str
    quote: str


@dataclass(frozen=True, kw_only=True)
class Event(Cited):
    date: str  # ISO yyyy-mm-dd, or yyyy-mm when only the month is known


@dataclass(frozen=True, kw_only=True)
class Brief:
    schema: int = SCHEMA_VERSION
    slug: str
    title: str
    summary: tuple[Cited, ...]  # at most five sentences, in reading order
    facts: tuple[Fact, ...] = ()  # numbers, dates, decisions
    quotes: tuple[Quote, ...] = ()
    timeline: tuple[Event, ...] = ()  # sorted by date
    # Further cited sentences of the topic's articles, used for answering questions;
    # not shown in the full brief.
    details: tuple[Cited, ...] = ()
    people: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()  # example questions this brief answers
    sources: tuple[Source, ...] = field(default=())

    def source(self, source_id: str) -> Source:
        for src in self.sources:
            if src.id == source_id:
                return src
        raise KeyError(source_id)

    def cited(self) -> Iterator[Cited]:
        """Every cited sentence of the brief, summary first, each text once."""
        seen: set[str] = set()
        for group in (self.summary, self.facts, self.quotes, self.timeline, self.details):
            for item in group:
                if item.text not in seen:
                    seen.add(item.text)
                    yield item

    def citation(self, item: Cited) -> str:
        """`seeds/<file>:<line>` for a sentence of this brief."""
        return f"{self.source(item.source).file}:{item.line}"


@dataclass(frozen=True, kw_only=True)
class IndexEntry:
    slug: str
    title: str
    file: str
    sentences: int

    @classmethod
    def of(cls, brief: Brief) -> IndexEntry:
        """The index's line for `brief`, whose file is named after its slug."""
        return cls(
            slug=brief.slug,
            title=brief.title,
            file=f"{brief.slug}.yaml",
            sentences=sum(1 for _ in brief.cited()),
        )


@dataclass(frozen=True, kw_only=True)
class Index:
    schema: int = SCHEMA_VERSION
    # sha256 over the seed files' names and bytes and the build settings: tells whether the
    # briefs are stale.
    corpus: str
    topics: tuple[IndexEntry, ...]


@dataclass(frozen=True, kw_only=True)
class BriefSet:
    """Every brief of a briefs folder, loaded and validated together (swapped whole on reload)."""

    briefs: dict[str, Brief]  # by slug, in index order
    index: Index
    version: str  # sha256 of the files' bytes: changes when any brief changes

    def __iter__(self) -> Iterator[Brief]:
        return iter(self.briefs.values())

    def __len__(self) -> int:
        return len(self.briefs)

    def get(self, slug: str) -> Brief | None:
        return self.briefs.get(slug)


def brief_to_dict(brief: Brief) -> dict[str, Any]:
    """Plain data in field order, ready for yaml.safe_dump(sort_keys=False)."""
    return _plain(brief)


def index_to_dict(index: Index) -> dict[str, Any]:
    return _plain(index)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            v = getattr(value, f.name)
            # Keep files short: empty optional sections are left out.
            if v == () and f.default == ():
                continue
            out[f.name] = _plain(v)
        return out
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def dump_yaml(data: Any) -> str:
    """The one YAML style Briefbot writes: block style, field order kept, unicode as is."""
    return yaml.dump(
        data,
        Dumper=_DUMPER,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


def parse_brief(data: Any, path: str) -> Brief:
    """Validate one brief's YAML data; errors name `path` and the field."""
    brief: Brief = from_mapping(Brief, data, file=path, error=BriefError)
    if brief.schema != SCHEMA_VERSION:
        raise BriefError(
            f"{path}: schema: version {brief.schema} is not supported (expected {SCHEMA_VERSION}); "
            "rebuild with `briefbot build`"
        )
    if not SLUG_RE.match(brief.slug):
        raise BriefError(f"{path}: slug: {brief.slug!r} is not lowercase words joined by '-'")
    if not brief.title.strip():
        raise BriefError(f"{path}: title: must not be empty")
    if not brief.summary:
        raise BriefError(f"{path}: summary: a brief needs at least one summary sentence")
    ids = [s.id for s in brief.sources]
    if len(set(ids)) != len(ids):
        raise BriefError(f"{path}: sources: source ids must be unique")
    for i, src in enumerate(brief.sources):
        if src.first_line < 1 or src.last_line < src.first_line:
            raise BriefError(
                f"{path}: sources[{i}]: lines {src.first_line}-{src.last_line} are not a range"
            )
    known = set(ids)
    for section in ("summary", "facts", "quotes", "timeline", "details"):
        for i, item in enumerate(getattr(brief, section)):
            where = f"{path}: {section}[{i}]"
            if item.source not in known:
                raise BriefError(f"{where}.source: unknown source id {item.source!r}")
            if not item.text.strip():
                raise BriefError(f"{where}.text: must not be empty")
            src = brief.source(item.source)
            if not src.first_line <= item.line <= src.last_line:
                raise BriefError(
                    f"{where}.line: {item.line} is outside its source's lines "
                    f"{src.first_line}-{src.last_line}"
                )
    return brief


def read_yaml(path: Path) -> Any:
    try:
        return yaml.load(
            path.read_text(encoding="utf-8"), Loader=_LOADER
        )  # a safe loader: C or Python
    except FileNotFoundError:
        raise BriefError(f"{path}: file not found; run `briefbot build`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BriefError(f"{path}: cannot read ({exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise BriefError(f"{path}{where}: not valid YAML; rebuild with `briefbot build`") from None


def load_briefs(folder: Path) -> BriefSet:
    """Load and validate every brief listed in `folder`/index.yaml, all or nothing."""
    index_path = folder / INDEX_FILE
    if not index_path.exists():
        raise BriefError(f"{index_path}: no briefs index; run `briefbot build` first")
    index: Index = from_mapping(
        Index, read_yaml(index_path), file=str(index_path), error=BriefError
    )
    if index.schema != SCHEMA_VERSION:
        raise BriefError(
            f"{index_path}: schema: version {index.schema} is not supported; rebuild with `briefbot build`"
        )
    digest = hashlib.sha256(index_path.read_bytes())
    briefs: dict[str, Brief] = {}
    for i, entry in enumerate(index.topics):
        path = folder / entry.file
        if path.parent.resolve() != folder.resolve():
            raise BriefError(
                f"{index_path}: topics[{i}].file: {entry.file!r} must be a file in {folder}"
            )
        raw = path.read_bytes() if path.exists() else b""
        brief = parse_brief(read_yaml(path), str(path))
        if brief.slug != entry.slug:
            raise BriefError(
                f"{path}: slug: {brief.slug!r} does not match the index entry {entry.slug!r}"
            )
        if brief.slug in briefs:
            raise BriefError(f"{index_path}: topics[{i}].slug: {entry.slug!r} is listed twice")
        briefs[brief.slug] = brief
        digest.update(raw)
    return BriefSet(briefs=briefs, index=index, version=digest.hexdigest()[:16])
