"""Rendering is pure: answers and briefs -> HTML chunks Telegram accepts, escaped and split."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answer import Answer
from bot.briefs import Brief, Cited, Fact, Source, load_briefs
from bot.render import (
    MAX_CALLBACK_DATA,
    MAX_MESSAGE,
    Block,
    Button,
    block,
    compare_briefs,
    pack,
    parse_callback,
    ref,
    render_answer,
    render_brief,
    render_sources,
    render_topics,
    resolve_ref,
    text_length,
)

from .conftest import BRIEFS
from .fakebotapi import parse_html, utf16_len

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def seed_sentences(limit: int) -> list[tuple[str, int, str]]:
    """Real corpus lines (file, line number, text) long enough to read as sentences."""
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if 80 <= len(line) <= 600:
                out.append((f"seeds/{path.name}", n, line.strip()))
                if len(out) == limit:
                    return out
    return out


def long_brief(sentences: int = 120) -> Brief:
    """A brief far over one message, built from real seed lines."""
    lines = seed_sentences(sentences)
    assert len(lines) == sentences, "the seeds folder has too few lines for this test"
    sources = []
    by_file: dict[str, str] = {}
    for file, _, _ in lines:
        if file not in by_file:
            by_file[file] = f"s{len(by_file) + 1}"
            numbers = [n for f, n, _ in lines if f == file]
            sources.append(
                Source(
                    id=by_file[file],
                    outlet="The <Corpus> & Co",
                    title=f"Headline of {file}",
                    date="2025-02-10",
                    file=file,
                    first_line=min(numbers),
                    last_line=max(numbers),
                )
            )
    cited = [Cited(text=t, source=by_file[f], line=n) for f, n, t in lines]
    return Brief(
        slug="long-topic",
        title="A long topic",
        summary=tuple(cited[:5]),
        facts=tuple(Fact(text=c.text, source=c.source, line=c.line) for c in cited[5:]),
        sources=tuple(sources),
    )


def test_a_long_brief_is_split_into_numbered_valid_parts_at_sentence_boundaries() -> None:
    brief = long_brief()
    reply = render_brief(brief)
    n = len(reply.chunks)
    assert n > 2
    visible = []
    for i, chunk in enumerate(reply.chunks, 1):
        assert utf16_len(chunk.html) <= MAX_MESSAGE
        text = parse_html(chunk.html)  # raises like Telegram on bad markup
        assert text == chunk.plain
        assert chunk.plain.startswith(f"({i}/{n}) ")
        visible.append(text)
    joined = "\n".join(visible)
    # Every sentence arrives whole, in order.
    positions = [joined.find(item.text) for item in brief.cited()]
    assert -1 not in positions
    assert positions == sorted(positions)


def test_corpus_text_is_escaped() -> None:
    brief = long_brief(8)
    brief = dataclasses.replace(brief, title="Tom & Jerry <script>")
    chunk = render_brief(brief).chunks[0]
    assert "<b>Tom &amp; Jerry &lt;script&gt;</b>" in chunk.html
    assert "The &lt;Corpus&gt; &amp; Co" in chunk.html
    parse_html(chunk.html)


def test_a_sentence_longer_than_a_message_is_cut_between_words() -> None:
    word = "civilians&<"
    chunks = pack([block("Kursk", tag="b"), block(" ".join([word] * 900))])
    assert len(chunks) > 1
    for chunk in chunks:
        assert utf16_len(chunk.html) <= MAX_MESSAGE
        assert parse_html(chunk.html) == chunk.plain
    assert " ".join(c.plain.split(" ", 1)[1] for c in chunks).count(word) == 900


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(min_size=1, max_size=900), st.sampled_from([None, "b", "i", "code"])),
        min_size=1,
        max_size=40,
    ),
    st.integers(min_value=200, max_value=MAX_MESSAGE),
)
def test_packing_always_gives_valid_html_within_the_limit(
    parts: list[tuple[str, str | None]], limit: int
) -> None:
    blocks = [block(text, tag=tag) for text, tag in parts if text.strip()]
    for chunk in pack(blocks, limit=limit):
        assert text_length(chunk.html) <= limit
        assert parse_html(chunk.html) == chunk.plain


def test_short_replies_are_one_chunk_without_a_part_number() -> None:
    [chunk] = pack([Block(html="<b>Hi</b>", plain="Hi"), block("there", sep=" ")])
    assert (chunk.html, chunk.plain) == ("<b>Hi</b> there", "Hi there")
    assert pack([]) == ()


def fixture_briefs() -> dict[str, Brief]:
    return load_briefs(BRIEFS).briefs


def answer_of(kind: str, **changes: object) -> Answer:
    base = Answer(
        question="q",
        kind="decline",
        topic=None,
        topic_title=None,
        confidence=0.1,
        sentences=(),
        citations=(),
        suggestions=("kursk-fighting", "india-russia-ties"),
        suggestion_titles=("The battle for Kursk", "India & Russia"),
        text="I have no brief on that. Nearest topics: The battle for Kursk; India & Russia.",
        hint="Ask about one of these topics, or /topics for the full list.",
    )
    return dataclasses.replace(base, kind=kind, **changes)  # type: ignore[arg-type]


def test_a_decline_offers_the_nearest_topics_and_the_full_list() -> None:
    reply = render_answer(answer_of("decline"))
    assert reply.chunks[0].html.startswith("I have no brief on that.")
    assert "India &amp; Russia" in reply.chunks[0].html
    assert [[b.data for b in row] for row in reply.keyboard] == [  # type: ignore[union-attr]
        ["t:kursk-fighting"],
        ["t:india-russia-ties"],
        ["p:0"],
    ]


def test_an_ambiguous_answer_offers_the_candidates_only() -> None:
    reply = render_answer(answer_of("ambiguous", text="That could be about A or B."))
    assert [row[0].label for row in reply.keyboard] == ["The battle for Kursk", "India & Russia"]


def test_sources_name_outlet_headline_date_file_and_lines() -> None:
    kursk = fixture_briefs()["kursk-fighting"]
    text = render_sources(kursk).chunks[0].plain
    src = kursk.sources[0]
    assert f"[1] {src.outlet}, “{src.title}”" in text
    assert f"{src.file}:" in text


def test_topics_are_paged_with_previous_and_next() -> None:
    topics = [(f"topic-{i}", f"Topic {i}") for i in range(20)]
    first = render_topics(topics, page=0)
    middle = render_topics(topics, page=1)
    last = render_topics(topics, page=2)
    assert [r[0].data for r in first.keyboard[:-1]] == [f"t:topic-{i}" for i in range(8)]
    assert [b.label for b in first.keyboard[-1]] == ["Next »"]
    assert [b.data for b in middle.keyboard[-1]] == ["p:0", "p:2"]
    assert [b.label for b in last.keyboard[-1]] == ["« Previous"]
    assert len(last.keyboard) == 5  # topics 16-19 and the navigation row
    assert "Page 3 of 3" in last.chunks[0].plain
    # A page past the end (the list shrank after a reload) shows the last page.
    assert render_topics(topics, page=9) == last


def test_long_slugs_get_a_reference_that_fits_in_callback_data() -> None:
    slug = "-".join(["very-long-topic-name"] * 6)
    data = f"sub:{ref(slug)}"
    assert len(data.encode()) <= MAX_CALLBACK_DATA
    assert resolve_ref(ref(slug), [slug, "other"]) == slug
    assert resolve_ref(ref(slug), ["other"]) is None
    assert ref("kursk-fighting") == "kursk-fighting"


@pytest.mark.parametrize(
    ("data", "parsed"),
    [
        ("b:kursk-fighting", ("b", "kursk-fighting")),
        ("p:3", ("p", "3")),
        ("p:three", None),
        ("x:kursk", None),
        ("t:", None),
        ("legacy-data", None),
        (None, None),
    ],
)
def test_callback_data_is_parsed_or_rejected(data: str | None, parsed: object) -> None:
    assert parse_callback(data) == parsed


def test_buttons_refuse_data_telegram_would_refuse() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        Button(label="x", data="é" * 33)


def test_compare_briefs_names_added_removed_and_changed_topics() -> None:
    old = load_briefs(BRIEFS)
    briefs = dict(old.briefs)
    del briefs["hegseth-ukraine-borders"]
    briefs["kursk-fighting"] = dataclasses.replace(briefs["kursk-fighting"], title="Kursk")
    briefs["new-topic"] = dataclasses.replace(briefs["india-russia-ties"], slug="new-topic")
    new = dataclasses.replace(old, briefs=briefs)
    changes = compare_briefs(old, new)
    assert changes.added == ("new-topic",)
    assert changes.removed == ("hegseth-ukraine-borders",)
    assert changes.changed == ("kursk-fighting",)


def test_citations_of_one_article_share_a_line_in_first_cited_order() -> None:
    from bot.answer import Citation
    from bot.render import citation_lines

    def cite(n: int, outlet: str, source: str) -> Citation:
        return Citation(n=n, outlet=outlet, title=f"{outlet} headline", date=None, source=source)

    lines = citation_lines(
        [
            cite(1, "BBC", "seeds/a.txt:9"),
            cite(2, "CNN", "seeds/b.txt:3"),
            cite(3, "BBC", "seeds/a.txt:4"),
        ]
    )
    assert lines == [
        "[1, 3] BBC, “BBC headline”, seeds/a.txt:9,4",
        "[2] CNN, “CNN headline”, seeds/b.txt:3",
    ]
