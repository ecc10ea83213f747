"""Answers, briefs and topic lists -> Telegram messages, as plain data. No Telegram import.

A `Reply` is what the bot sends for one event: one or more `Chunk`s (each an HTML text of at
most 4096 characters plus the same text without markup, the fallback when Telegram refuses the
markup) and a keyboard under the last chunk. Keyboards are rows of `Button(label, data)` with
callback data of at most 64 bytes; bot/tg/keyboards.py turns them into Telegram objects.

Every string from the corpus or the user goes through `html.escape`. Long texts are cut only
between blocks (a heading, one sentence, one citation line), each block a closed fragment, so a
cut never falls inside a tag; a part of several gets a "(1/3)" heading.

Callback data (parsed back by `parse_callback`):
    t:<ref>     a topic's overview        b:<ref>    the full brief
    s:<ref>     the brief's sources       p:<n>      page n of the topic list
    sub:<ref>   subscribe (handled by the subscription commands)
where <ref> is the slug, or "#" + a hash of it when the slug is too long for 64 bytes.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.answer import Answer, Citation
from bot.briefs import Brief, BriefSet, Cited, Source
from bot.subscriptions import Stats

MAX_MESSAGE = 4096  # Telegram's limit, in UTF-16 code units
MAX_CALLBACK_DATA = 64  # bytes
TOPICS_PER_PAGE = 8
# Room kept for the "(12/12)" heading of a part.
PART_HEADING_ROOM = 16
LONGEST_REF = 40  # bytes; longer slugs are sent as a hash


@dataclass(frozen=True, kw_only=True)
class Button:
    label: str
    data: str  # callback data, at most 64 bytes

    def __post_init__(self) -> None:
        if not 1 <= len(self.data.encode("utf-8")) <= MAX_CALLBACK_DATA:
            raise ValueError(f"callback data {self.data!r} is not 1-64 bytes")


@dataclass(frozen=True, kw_only=True)
class LinkButton:
    label: str
    url: str


Keyboard = tuple[tuple[Button | LinkButton, ...], ...]


@dataclass(frozen=True, kw_only=True)
class Chunk:
    html: str  # parse_mode HTML
    plain: str  # the same words without markup


@dataclass(frozen=True, kw_only=True)
class Reply:
    chunks: tuple[Chunk, ...]
    keyboard: Keyboard = ()  # shown under the last chunk


@dataclass(frozen=True, kw_only=True)
class Block:
    """A piece that is never cut: closed HTML, its plain text and what separates it from the last."""

    html: str
    plain: str
    sep: str = "\n"


def text_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def block(text: str, *, tag: str | None = None, sep: str = "\n") -> Block:
    """An escaped block, optionally wrapped in one tag."""
    body = esc(text)
    return Block(html=f"<{tag}>{body}</{tag}>" if tag else body, plain=text, sep=sep)


# --- packing ----------------------------------------------------------------------------------


def pack(blocks: Sequence[Block], *, limit: int = MAX_MESSAGE) -> tuple[Chunk, ...]:
    """Join blocks into chunks of at most `limit`; several chunks are numbered "(1/n)"."""
    pieces = [p for b in blocks for p in _fit(b, limit - PART_HEADING_ROOM)]
    groups: list[list[Block]] = [[]]
    size = 0
    for piece in pieces:
        extra = text_length(piece.html) + (text_length(piece.sep) if groups[-1] else 0)
        if groups[-1] and size + extra > limit - PART_HEADING_ROOM:
            groups.append([])
            size = 0
            extra = text_length(piece.html)
        groups[-1].append(piece)
        size += extra
    groups = [g for g in groups if g]
    if not groups:
        return ()
    chunks = []
    for i, group in enumerate(groups, 1):
        html_text = _join(group, "html")
        plain_text = _join(group, "plain")
        if len(groups) > 1:
            html_text = f"<b>({i}/{len(groups)})</b> {html_text}"
            plain_text = f"({i}/{len(groups)}) {plain_text}"
        chunks.append(Chunk(html=html_text, plain=plain_text))
    return tuple(chunks)


def _join(group: list[Block], attr: str) -> str:
    out = getattr(group[0], attr)
    for b in group[1:]:
        out += b.sep + getattr(b, attr)
    return out


def _fit(b: Block, limit: int) -> list[Block]:
    """A block too long for one message (a pathological sentence) is cut between words."""
    if text_length(b.html) <= limit:
        return [b]
    # Only plain text can be long enough; it is re-escaped piece by piece.
    out: list[Block] = []
    words = b.plain.split(" ")
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if current and text_length(esc(candidate)) > limit:
            out.append(block(current, sep=b.sep if not out else " "))
            current = word
        else:
            current = candidate
        while text_length(esc(current)) > limit:  # one "word" longer than a message
            cut = limit // 6  # an escape is at most 5 characters for 1
            out.append(block(current[:cut], sep=b.sep if not out else " "))
            current = current[cut:]
    if current:
        out.append(block(current, sep=b.sep if not out else " "))
    return out


# --- callback data ----------------------------------------------------------------------------


def ref(slug: str) -> str:
    """A topic reference that fits in callback data whatever the slug's length."""
    if len(slug.encode("utf-8")) <= LONGEST_REF:
        return slug
    return "#" + hashlib.sha1(slug.encode("utf-8")).hexdigest()[:16]


def resolve_ref(topic_ref: str, slugs: Iterable[str]) -> str | None:
    """The slug a `ref` points at in the current brief set, or None when it is gone."""
    for slug in slugs:
        if ref(slug) == topic_ref:
            return slug
    return None


def parse_callback(data: str | None) -> tuple[str, str] | None:
    """'b:kursk' -> ('b', 'kursk'); None for data this version never sends."""
    if not data or ":" not in data:
        return None
    action, _, arg = data.partition(":")
    if action not in ("t", "b", "s", "p", "sub", "unsub") or not arg:
        return None
    if action == "p" and not arg.isdigit():
        return None
    return action, arg


def topic_buttons(slug: str) -> tuple[Button, ...]:
    r = ref(slug)
    return (
        Button(label="Full brief", data=f"b:{r}"),
        Button(label="Sources", data=f"s:{r}"),
        Button(label="Subscribe", data=f"sub:{r}"),
    )


# --- answers ----------------------------------------------------------------------------------


def citation_lines(citations: Sequence[Citation]) -> list[str]:
    """'[1, 2] Al Jazeera, “Headline”, 2021-12-06, seeds/001.txt:212,230': one line per article."""
    groups: dict[tuple[str, str, str | None, str], list[Citation]] = {}
    for c in citations:
        file, _, _ = c.source.rpartition(":")
        groups.setdefault((c.outlet, c.title, c.date, file or c.source), []).append(c)
    lines = []
    for (outlet, title, date, file), cs in groups.items():
        parts = [f"[{', '.join(str(c.n) for c in cs)}] {outlet}", f"“{title}”"]
        if date:
            parts.append(date)
        lines_cited = ",".join(c.source.rpartition(":")[2] for c in cs)
        parts.append(f"{file}:{lines_cited}" if file != cs[0].source else file)
        lines.append(", ".join(parts))
    return lines


def render_answer(answer: Answer) -> Reply:
    """The reply to a question: cited sentences, citations, and what to do next."""
    blocks: list[Block] = []
    keyboard: list[tuple[Button | LinkButton, ...]] = []
    if answer.answered and answer.topic is not None:
        blocks.append(block(answer.topic_title or answer.topic, tag="b"))
        for i, s in enumerate(answer.sentences):
            blocks.append(block(f"{s.text} [{s.citation}]", sep="\n" if i == 0 else " "))
        for i, line in enumerate(citation_lines(answer.citations)):
            blocks.append(block(line, tag="i", sep="\n\n" if i == 0 else "\n"))
        if answer.hint:
            blocks.append(block(f"Next: {answer.hint}", sep="\n\n"))
        keyboard.append(topic_buttons(answer.topic))
    else:
        blocks.append(block(answer.text))
        if answer.hint and answer.kind != "invalid":
            blocks.append(block(answer.hint, tag="i", sep="\n\n"))
        for slug, title in zip(answer.suggestions, answer.suggestion_titles, strict=False):
            keyboard.append((Button(label=_label(title), data=f"t:{ref(slug)}"),))
        if answer.kind == "decline":
            keyboard.append((Button(label="All topics", data="p:0"),))
    return Reply(chunks=pack(blocks), keyboard=tuple(keyboard))


def _label(title: str, width: int = 60) -> str:
    return title if len(title) <= width else title[: width - 1].rstrip() + "…"


# --- briefs -----------------------------------------------------------------------------------


def _numbered_sources(brief: Brief) -> dict[str, int]:
    """Citation numbers for a whole brief: sources in the order the brief first cites them."""
    numbers: dict[str, int] = {}
    for item in brief.cited():
        numbers.setdefault(item.source, len(numbers) + 1)
    for src in brief.sources:
        numbers.setdefault(src.id, len(numbers) + 1)
    return numbers


def source_line(n: int, src: Source, lines: str | None = None) -> str:
    parts = [f"[{n}] {src.outlet}", f"“{src.title}”"]
    if src.date:
        parts.append(src.date)
    parts.append(f"{src.file}:{lines}" if lines else f"{src.file}:{src.first_line}-{src.last_line}")
    return ", ".join(parts)


def render_brief(brief: Brief) -> Reply:
    """The whole brief: summary, facts, quotes, timeline, sources; split into parts if long."""
    numbers = _numbered_sources(brief)

    def cited(item: Cited, prefix: str = "", sep: str = "\n") -> Block:
        return block(f"{prefix}{item.text} [{numbers[item.source]}]", sep=sep)

    blocks: list[Block] = [block(brief.title, tag="b")]
    for i, item in enumerate(brief.summary):
        blocks.append(cited(item, sep="\n" if i == 0 else " "))
    sections: list[tuple[str, list[Block]]] = [
        ("Key facts", [cited(f, "• ") for f in brief.facts]),
        ("Quotes", [cited(q, "• ") for q in brief.quotes]),
        ("Timeline", [cited(e, f"• {e.date}: ") for e in brief.timeline]),
    ]
    for heading, items in sections:
        if items:
            blocks.append(block(heading, tag="b", sep="\n\n"))
            blocks.extend(items)
    blocks.append(block("Sources", tag="b", sep="\n\n"))
    by_id = {src.id: src for src in brief.sources}
    for src_id, n in sorted(numbers.items(), key=lambda kv: kv[1]):
        if src_id in by_id:
            blocks.append(block(source_line(n, by_id[src_id]), tag="i"))
    return Reply(chunks=pack(blocks), keyboard=((topic_buttons(brief.slug)[2],),))


def render_sources(brief: Brief) -> Reply:
    """Where every sentence of the brief comes from: outlet, headline, date, file and lines."""
    numbers = _numbered_sources(brief)
    cited_lines: dict[str, list[int]] = {}
    for item in brief.cited():
        cited_lines.setdefault(item.source, []).append(item.line)
    blocks = [block(f"Sources of “{brief.title}”", tag="b")]
    for src in sorted(brief.sources, key=lambda s: numbers[s.id]):
        lines = ",".join(str(n) for n in sorted(set(cited_lines.get(src.id, []))))
        blocks.append(block(source_line(numbers[src.id], src, lines or None)))
        if src.also:
            blocks.append(block("also in " + ", ".join(src.also), tag="i"))
    return Reply(
        chunks=pack(blocks),
        keyboard=((Button(label="Full brief", data=f"b:{ref(brief.slug)}"),),),
    )


# --- topic lists and fixed texts --------------------------------------------------------------


def render_topics(
    topics: Sequence[tuple[str, str]],
    *,
    page: int = 0,
    intro: str | None = None,
    per_page: int = TOPICS_PER_PAGE,
) -> Reply:
    """A page of topic buttons (slug, title) with previous/next buttons when there are more."""
    if not topics:
        return Reply(chunks=pack([block("I have no briefs yet. Please try again later.")]))
    pages = (len(topics) + per_page - 1) // per_page
    page = min(max(page, 0), pages - 1)
    shown = topics[page * per_page : (page + 1) * per_page]
    heading = intro or f"I have briefs on {len(topics)} topics. Pick one, or just ask a question."
    blocks = [block(heading)]
    if pages > 1:
        blocks.append(block(f"Page {page + 1} of {pages}", tag="i"))
    rows: list[tuple[Button | LinkButton, ...]] = [
        (Button(label=_label(title), data=f"t:{ref(slug)}"),) for slug, title in shown
    ]
    nav: list[Button | LinkButton] = []
    if page > 0:
        nav.append(Button(label="« Previous", data=f"p:{page - 1}"))
    if page < pages - 1:
        nav.append(Button(label="Next »", data=f"p:{page + 1}"))
    if nav:
        rows.append(tuple(nav))
    return Reply(chunks=pack(blocks), keyboard=tuple(rows))


@dataclass(frozen=True, kw_only=True)
class Command:
    name: str
    usage: str  # arguments, "" when none
    description: str  # also the command menu's text (at most 256 characters)
    admin: bool = False


COMMANDS: tuple[Command, ...] = (
    Command(name="start", usage="", description="Welcome and the list of topics"),
    Command(name="help", usage="", description="What I can do and how to ask"),
    Command(name="topics", usage="", description="Every topic I have a brief on"),
    Command(name="brief", usage="<topic>", description="The whole brief on a topic"),
    Command(name="subscribe", usage="<topic>", description="Get a daily digest of a topic"),
    Command(name="unsubscribe", usage="<topic>", description="Stop the digest of a topic"),
    Command(name="subscriptions", usage="", description="The topics you are subscribed to"),
    Command(
        name="digest",
        usage="HH:MM [Area/City] | now | off",
        description="When your digest comes, or get it now",
    ),
    Command(name="reload", usage="", description="Re-read the briefs (admins)", admin=True),
    Command(name="stats", usage="", description="Usage figures (admins)", admin=True),
)


def render_help(*, admin: bool = False, example: str | None = None) -> Reply:
    """How to ask and every command; `example` is a question one of the briefs answers."""
    blocks = [
        block("Ask me about the news in your own words", tag="b"),
        block(
            (f"For example: “{example}” " if example else "")
            + "Every sentence I reply with is copied from a news article, and the number in "
            "brackets says which one.",
        ),
        block("Commands", tag="b", sep="\n\n"),
    ]
    for c in COMMANDS:
        if c.admin and not admin:
            continue
        usage = f" {c.usage}" if c.usage else ""
        blocks.append(
            Block(
                html=f"/{c.name}{esc(usage)} — {esc(c.description)}",
                plain=f"/{c.name}{usage} — {c.description}",
            )
        )
    blocks.append(
        block(
            "In a group, mention me or reply to me. In any chat, type my @name and a question "
            "to share a cited answer.",
            sep="\n\n",
        )
    )
    return Reply(chunks=pack(blocks), keyboard=((Button(label="All topics", data="p:0"),),))


def render_welcome(name: str | None, topics: Sequence[tuple[str, str]]) -> Reply:
    greeting = f"Hello {name}!" if name else "Hello!"
    intro = (
        f"{greeting} I keep you briefed on world affairs from news articles, every sentence "
        f"cited. I have briefs on {len(topics)} topics: pick one below or just ask a question. "
        "/help lists everything I can do."
    )
    return render_topics(topics, intro=intro)


def render_text(text: str) -> Reply:
    """A short message of our own words (escaped all the same)."""
    return Reply(chunks=pack([block(text)]))


# --- admin ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class BriefChanges:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]


def compare_briefs(old: BriefSet, new: BriefSet) -> BriefChanges:
    """Which topics a reload adds, removes and changes (Brief objects compared whole)."""
    return BriefChanges(
        added=tuple(s for s in new.briefs if s not in old.briefs),
        removed=tuple(s for s in old.briefs if s not in new.briefs),
        changed=tuple(s for s in new.briefs if s in old.briefs and old.briefs[s] != new.briefs[s]),
    )


def render_reload(changes: BriefChanges, total: int) -> Reply:
    blocks = [block(f"Reloaded: {total} topics are live.")]
    if not (changes.added or changes.removed or changes.changed):
        blocks.append(block("Nothing changed."))
    for label, slugs in (
        ("Added", changes.added),
        ("Removed", changes.removed),
        ("Changed", changes.changed),
    ):
        if slugs:
            blocks.append(block(f"{label} ({len(slugs)}): " + ", ".join(slugs)))
    return Reply(chunks=pack(blocks))


def render_reload_failed(error: str, total: int) -> Reply:
    return Reply(
        chunks=pack(
            [
                block("Reload failed; the current briefs stay live.", tag="b"),
                block(error, tag="code", sep="\n\n"),
                block(
                    f"Still serving {total} topics. Fix the file (or rebuild) and /reload again."
                ),
            ]
        )
    )


def render_stats(stats: Stats) -> Reply:
    blocks = [
        block("Usage", tag="b"),
        block(f"Chats: {stats.users} ({stats.groups} groups, {stats.paused} blocked the bot)"),
        block(f"Questions answered: {stats.answered}; declined: {stats.declined}"),
        block("Subscriptions per topic", tag="b", sep="\n\n"),
    ]
    if stats.subscriptions:
        blocks += [block(f"{n} {topic}") for topic, n in stats.subscriptions.items()]
    else:
        blocks.append(block("none yet"))
    blocks.append(block("Most-asked declined questions", tag="b", sep="\n\n"))
    if stats.top_declined:
        blocks += [block(f"{n}× {question}") for question, n in stats.top_declined]
    else:
        blocks.append(block("none"))
    return Reply(chunks=pack(blocks))
