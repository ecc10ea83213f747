"""Digest content: the summary first, then only what is new, nothing when nothing changed."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from bot.briefs import BriefSet, Cited, load_briefs
from bot.digest import Digest, compose_digest, fingerprint, render_digest

BRIEFS = Path(__file__).resolve().parent / "data" / "fixture_briefs"


@pytest.fixture(scope="module")
def briefs() -> BriefSet:
    return load_briefs(BRIEFS)


def with_new_details(briefs: BriefSet, slug: str, texts: list[str]) -> BriefSet:
    """The same briefs after a rebuild that added sentences to `slug`."""
    brief = briefs.briefs[slug]
    first = brief.summary[0]
    added = tuple(Cited(text=t, source=first.source, line=first.line) for t in texts)
    changed = dataclasses.replace(brief, details=brief.details + added)
    return dataclasses.replace(briefs, briefs={**briefs.briefs, slug: changed}, version="v2")


def test_the_first_digest_of_a_topic_is_its_summary(briefs: BriefSet) -> None:
    digest = compose_digest(["kursk-fighting"], briefs, {})
    assert digest is not None
    (update,) = digest.topics
    assert update.kind == "summary"
    assert [i.text for i in update.items] == [
        s.text for s in briefs.briefs["kursk-fighting"].summary
    ]
    assert update.items[0].citation.startswith("seeds/")
    # Everything the brief holds now counts as seen, not only the summary sentences sent.
    assert len(digest.seen["kursk-fighting"]) == len(list(briefs.briefs["kursk-fighting"].cited()))


def test_nothing_new_means_no_digest(briefs: BriefSet) -> None:
    first = compose_digest(["kursk-fighting", "india-russia-ties"], briefs, {})
    assert first is not None
    assert compose_digest(["kursk-fighting", "india-russia-ties"], briefs, first.seen) is None


def test_no_topics_or_only_vanished_topics_means_no_digest(briefs: BriefSet) -> None:
    assert compose_digest([], briefs, {}) is None
    assert compose_digest(["a-topic-the-rebuild-dropped"], briefs, {}) is None


def test_a_later_digest_has_only_the_new_sentences_of_changed_topics(briefs: BriefSet) -> None:
    first = compose_digest(["kursk-fighting", "india-russia-ties"], briefs, {})
    assert first is not None
    news = "Ukraine said on Friday that its troops had pulled back from two villages."
    rebuilt = with_new_details(briefs, "kursk-fighting", [news])
    digest = compose_digest(["kursk-fighting", "india-russia-ties"], rebuilt, first.seen)
    assert digest is not None
    (update,) = digest.topics
    assert (update.slug, update.kind, [i.text for i in update.items]) == (
        "kursk-fighting",
        "new",
        [news],
    )
    assert fingerprint(news) in digest.seen["kursk-fighting"]
    assert compose_digest(["kursk-fighting"], rebuilt, digest.seen) is None


def test_many_new_sentences_are_capped_and_the_rest_counted(briefs: BriefSet) -> None:
    first = compose_digest(["kursk-fighting"], briefs, {})
    assert first is not None
    news = [f"Report number {i} from the front line was published." for i in range(8)]
    digest = compose_digest(
        ["kursk-fighting"],
        with_new_details(briefs, "kursk-fighting", news),
        first.seen,
        max_items=3,
    )
    assert digest is not None
    assert [i.text for i in digest.topics[0].items] == news[:3]
    assert digest.topics[0].more == 5
    assert "and 5 more: /brief kursk-fighting" in render_digest(digest)[0]


def test_fingerprints_ignore_spacing_and_case_but_not_words() -> None:
    assert fingerprint("Russia  and\nIndia") == fingerprint("russia and india")
    assert fingerprint("Russia and India") != fingerprint("Russia and China")


def test_rendered_digest_escapes_corpus_text_and_cites_each_article_once(
    briefs: BriefSet,
) -> None:
    rebuilt = with_new_details(briefs, "india-russia-ties", ["Trade rose <fast> & steady."])
    first = compose_digest(["india-russia-ties"], briefs, {})
    assert first is not None
    digest = compose_digest(["india-russia-ties"], rebuilt, first.seen)
    assert digest is not None
    (text,) = render_digest(digest)
    assert "Trade rose &lt;fast&gt; &amp; steady. [1]" in text
    assert "<b>India and Russia ties</b> <i>(new)</i>" in text
    assert "[1] Al Jazeera, “Russia’s Putin to land in India" in text
    assert re.search(r"seeds/001_779b2a8a156a4e38\.txt:\d+", text)


def test_a_long_digest_is_split_into_numbered_messages_within_the_limit(
    briefs: BriefSet,
) -> None:
    digest = compose_digest(list(briefs.briefs), briefs, {})
    assert digest is not None
    whole = render_digest(digest)
    parts = render_digest(digest, limit=700)
    assert len(whole) == 1 and len(parts) > 1
    assert all(len(p) <= 700 for p in parts)
    assert parts[0].startswith(f"<b>Your digest</b> (1/{len(parts)})")
    assert parts[1].startswith(f"(2/{len(parts)})\n")
    # Every sentence survives the split, and no tag is cut in two.
    for update in digest.topics:
        for item in update.items:
            assert any(item.text.replace("&", "&amp;")[:60] in p for p in parts)
    for p in parts:
        assert p.count("<b>") == p.count("</b>") and p.count("<i>") == p.count("</i>")


def test_a_giant_sentence_is_cut_so_telegram_accepts_the_message(briefs: BriefSet) -> None:
    first = compose_digest(["kursk-fighting"], briefs, {})
    assert first is not None
    giant = "word " * 3000
    digest = compose_digest(
        ["kursk-fighting"], with_new_details(briefs, "kursk-fighting", [giant]), first.seen
    )
    assert isinstance(digest, Digest)
    assert all(len(p) <= 4096 for p in render_digest(digest))


def test_parts_are_measured_as_telegram_counts_them_in_utf16(briefs: BriefSet) -> None:
    first = compose_digest(["kursk-fighting"], briefs, {})
    assert first is not None
    wide = [f"Flags \U0001f1fa\U0001f1e6 number {i} " + "\U0001f30d" * 300 for i in range(6)]
    rebuilt = with_new_details(briefs, "kursk-fighting", wide)
    digest = compose_digest(["kursk-fighting"], rebuilt, first.seen, max_items=6)
    assert digest is not None
    parts = render_digest(digest, limit=1500)
    assert len(parts) > 1
    assert all(len(p.encode("utf-16-le")) // 2 <= 1500 for p in parts)


def test_digest_settings_in_config_yaml_are_checked(tmp_path: Path) -> None:
    from bot.config import load_config
    from bot.errors import ConfigError

    path = tmp_path / "config.yaml"
    path.write_text("digest:\n  max_items_per_topic: 2\n  catch_up_minutes: 0\n")
    config = load_config(path, environ={})
    assert (config.digest.max_items_per_topic, config.digest.catch_up_minutes) == (2, 0)
    path.write_text("digest:\n  max_items_per_topic: 0\n")
    with pytest.raises(ConfigError, match=r"config\.yaml: digest\.max_items_per_topic must be"):
        load_config(path, environ={})
