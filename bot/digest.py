"""A chat's digest: what is new or changed in its topics since the last digest it received.

Pure: the subscribed topics, the current briefs and what the chat has seen go in; a `Digest`
(plain data, plus the ledger entries to record once it is delivered) or None comes out.

    first digest of a topic   its summary, as the brief shows it
    later digests             the brief's sentences the chat has not seen, summary first,
                              at most `max_items` per topic ("and N more: /brief <slug>")
    nothing new anywhere      None: nothing is sent

"Seen" is a set of sentence fingerprints per topic, replaced by the brief's current sentences
each time a digest of that topic is delivered; a rebuild that rewords nothing sends nothing.
`render_digest` turns a digest into Telegram HTML messages of at most 4096 characters.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.briefs import Brief, BriefSet, Cited

TELEGRAM_LIMIT = 4096
# A sentence longer than this is cut in a digest (briefs copy sentences verbatim from scraped
# pages, and a run-on "sentence" must not make a message Telegram refuses).
MAX_SENTENCE_CHARS = 1200


def fingerprint(text: str) -> str:
    """A short stable id for a sentence: the same words give the same id, whatever the spacing."""
    canonical = " ".join(text.split()).casefold()
    return hashlib.blake2b(canonical.encode("utf-8"), digest_size=8).hexdigest()


@dataclass(frozen=True, kw_only=True)
class DigestItem:
    text: str  # verbatim from the brief
    outlet: str
    headline: str
    date: str | None
    citation: str  # "seeds/<file>:<line>"


@dataclass(frozen=True, kw_only=True)
class TopicUpdate:
    slug: str
    title: str
    kind: Literal["summary", "new"]  # first digest of the topic, or what changed since
    items: tuple[DigestItem, ...]
    more: int = 0  # new sentences left out to keep the digest short


@dataclass(frozen=True, kw_only=True)
class Digest:
    topics: tuple[TopicUpdate, ...]
    # What to record as seen once the digest is delivered: topic -> fingerprints.
    seen: dict[str, frozenset[str]]


def compose_digest(
    topics: Sequence[str],
    briefs: BriefSet,
    seen: Mapping[str, frozenset[str]],
    *,
    max_items: int = 5,
) -> Digest | None:
    """The digest for a chat following `topics` (slugs), or None when nothing is new.

    Topics no longer in the briefs are skipped: they have nothing to report.
    """
    updates: list[TopicUpdate] = []
    record: dict[str, frozenset[str]] = {}
    for slug in topics:
        brief = briefs.get(slug)
        if brief is None:
            continue
        current = _fingerprinted(brief)
        record[slug] = frozenset(current)
        if slug not in seen:
            items = tuple(_item(brief, s) for s in brief.summary)
            updates.append(TopicUpdate(slug=slug, title=brief.title, kind="summary", items=items))
            continue
        new = [item for fp, item in current.items() if fp not in seen[slug]]
        if not new:
            continue
        updates.append(
            TopicUpdate(
                slug=slug,
                title=brief.title,
                kind="new",
                items=tuple(_item(brief, s) for s in new[:max_items]),
                more=max(0, len(new) - max_items),
            )
        )
    if not updates:
        return None
    return Digest(topics=tuple(updates), seen=record)


# A fan-out composes the same few briefs for thousands of chats: fingerprint each brief once.
# Keyed by id() and checked by identity, since a reload replaces the Brief objects.
_CACHE: dict[int, tuple[Brief, dict[str, Cited]]] = {}
_CACHE_SIZE = 512


def _fingerprinted(brief: Brief) -> dict[str, Cited]:
    """fingerprint -> sentence for every cited sentence of the brief, in the brief's order."""
    cached = _CACHE.get(id(brief))
    if cached is not None and cached[0] is brief:
        return cached[1]
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    current = {fingerprint(item.text): item for item in brief.cited()}
    _CACHE[id(brief)] = (brief, current)
    return current


def _item(brief: Brief, cited: Cited) -> DigestItem:
    source = brief.source(cited.source)
    return DigestItem(
        text=cited.text,
        outlet=source.outlet,
        headline=source.title,
        date=source.date,
        citation=brief.citation(cited),
    )


def render_digest(
    digest: Digest, *, heading: str = "Your digest", limit: int = TELEGRAM_LIMIT
) -> list[str]:
    """Telegram HTML messages, each at most `limit` characters, cut only between lines."""
    blocks = [_render_topic(update) for update in digest.topics]
    header = f"<b>{_esc(heading)}</b>"
    messages: list[str] = []
    current = header
    for block in blocks:
        for line in block:
            candidate = f"{current}\n{line}"
            # Room is kept for the "(12/12)" a part gets when there are several.
            if _telegram_length(candidate) <= limit - 16:
                current = candidate
                continue
            messages.append(current)
            current = line
    messages.append(current)
    if len(messages) > 1:
        total = len(messages)
        messages = [
            messages[0].replace(header, f"{header} ({1}/{total})", 1),
            *(f"({i}/{total})\n{m}" for i, m in enumerate(messages[1:], start=2)),
        ]
    return messages


def _render_topic(update: TopicUpdate) -> list[str]:
    """One topic as lines; a blank line first so topics stand apart."""
    label = "summary" if update.kind == "summary" else "new"
    lines = ["", f"<b>{_esc(update.title)}</b> <i>({label})</i>"]
    # One number per article; the lines cited from it are listed with it.
    articles: dict[tuple[str, str], list[DigestItem]] = {}
    for item in update.items:
        cited = articles.setdefault((item.outlet, item.headline), [])
        cited.append(item)
        n = list(articles).index((item.outlet, item.headline)) + 1
        lines.append(f"• {_esc(_cut(item.text))} [{n}]")
    if update.more:
        lines.append(f"<i>and {update.more} more: /brief {_esc(update.slug)}</i>")
    for n, items in enumerate(articles.values(), 1):
        first = items[0]
        when = f", {first.date}" if first.date else ""
        where = _lines(i.citation for i in items)
        lines.append(
            f"<i>[{n}] {_esc(first.outlet)}, “{_esc(_cut(first.headline, 200))}”{_esc(when)}; "
            f"{_esc(where)}</i>"
        )
    return lines


def _lines(citations: Iterable[str]) -> str:
    """ "seeds/a.txt:2", "seeds/a.txt:4" -> "seeds/a.txt:2, 4"."""
    by_file: dict[str, list[str]] = {}
    for citation in citations:
        file, _, line = citation.rpartition(":")
        lines = by_file.setdefault(file, [])
        if line not in lines:
            lines.append(line)
    return "; ".join(f"{file}:{', '.join(lines)}" for file, lines in by_file.items())


def _telegram_length(text: str) -> int:
    """Telegram counts UTF-16 code units (an emoji outside the BMP is 2); markup only adds."""
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, limit: int = MAX_SENTENCE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _esc(text: str) -> str:
    return html.escape(text, quote=False)
