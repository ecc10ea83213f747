"""The whole build on the real seeds and on bad input: what a person running it would see."""

from __future__ import annotations

import dataclasses
import multiprocessing
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from bot.briefs import BriefSet, load_briefs
from bot.build import build, ensure_briefs
from bot.build.verify import squash
from bot.config import Config, TopicMerge, TopicPin, TopicsConfig
from bot.errors import BuildError

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"

# Drawn up by reading the seeds: each real article, by phrases of its own text. Every one must
# feed some brief (a duplicate copy may be the one cited, so any phrase of it will do).
REAL_ARTICLES = {
    "NYT, the fight for Kursk": ["Sudzha"],
    "NYT, Egypt and Jordan on Gaza": ["King Abdullah", "Gazans"],
    "NYT, Venezuela and the ELN in Colombia": ["ELN"],
    "NYT, Modi's White House visit": ["Misri", "tariffs"],
    "NYT, the prisoner exchange": ["Fogel"],
    "NYT, Hegseth on Ukraine's borders": ["Hegseth"],
    "NYT, Myanmar refugees and aid": ["Rohingya", "Myanmar"],
    "NYT, wounded Russian soldiers in North Korea": ["Matsegora", "Songdowon"],
    "TIME, why Modi and Putin are friends": ["Bajpaee", "Bajpee"],
    "Indian Express, Putin's visit explained": ["2+2", "Afghanistan"],
    "Washington Post, Modi bear-hugs Putin": ["Navalnaya", "Saran"],
    "Putin to land in India (2021)": ["Belousova", "Unnikrishnan"],
    "Firstpost, 28 MoUs": ["MoUs", "Shringla"],
    "NPR, Modi's Moscow visit": ["Vnukovo", "goose-stepping"],
    "AP, Modi's first visit since the invasion": ["Gabuev", "Chatham House"],
    "India TV / India Today, mediators for peace": ["Brazil"],
    "Business Insider, countries flaunting ties with Putin": ["McFate", "Zhumangarin"],
    "The Week / Business Today, Doval to Moscow": ["Doval"],
    "Business Insider, India refuses to take sides": ["Peri", "Bhatia"],
    "NYT, Putin's visit to Mongolia": ["Mongolia"],
    "002, Putin on the Donbas": ["Donbas"],
    "Arab News, North Korean troops out of combat": ["mid-January", "Pyongyang"],
    "Arab News, Modi's tour and the Oman trade pact": ["Oman"],
    "The News Singapore, Ukraine losing its Kursk foothold": ["foothold", "truce"],
}
# Page furniture and unrelated teasers found in the seeds: no brief may cite them.
NOISE = [
    "Advertisement",
    "Subscribe to",
    "putin india visit",
    "Horoscope",
    "Bigg Boss",
    "Virat Kohli",
    "Ohtani",
    "Walmart",
    "Hisense",
    "Genmoji",
    "Sensex",
    "NASCAR",
    "Mammootty",
    "unusual activity from your computer",
    "Download App",
    "Copyright",
    "WhatsApp Channel",
    "Read all the Breaking News",
    "Ganesh Chaturthi",
    "Hunter Biden",
    "Dilli Babu",
    "contributed reporting",
    "Try Guys",
    "Chenoweth",
    "Reese Witherspoon",
    "Swachh Bharat",
    "Phogat",
    "BSNL",
    "Week 1 recap",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BriefSet:
    out = tmp_path_factory.mktemp("build") / "briefs"
    build(Config(), seeds=SEEDS, out=out, progress=False)
    return load_briefs(out)


def test_the_seeds_give_a_briefing_sized_set_of_topics(built: BriefSet) -> None:
    assert 8 <= len(built) <= 20
    for brief in built:
        assert len(brief.summary) >= 1
        assert sum(1 for _ in brief.cited()) >= Config().build.min_topic_sentences


def test_every_sentence_is_in_the_seed_line_it_cites(built: BriefSet) -> None:
    lines = {
        f"seeds/{p.name}": p.read_text(encoding="utf-8").splitlines() for p in SEEDS.glob("*.txt")
    }
    checked = 0
    for brief in built:
        for item in brief.cited():
            file = brief.source(item.source).file
            assert squash(item.text) in squash(lines[file][item.line - 1]), brief.citation(item)
            checked += 1
    assert checked > 300


def test_every_real_article_feeds_some_brief(built: BriefSet) -> None:
    cited = " ".join(item.text for brief in built for item in brief.cited())
    missing = [
        name for name, phrases in REAL_ARTICLES.items() if not any(p in cited for p in phrases)
    ]
    assert missing == []


def test_no_brief_cites_boilerplate_or_an_unrelated_teaser(built: BriefSet) -> None:
    for brief in built:
        for item in brief.cited():
            found = [n for n in NOISE if n.lower() in item.text.lower()]
            assert not found, f"{brief.citation(item)} cites {found}: {item.text}"


def test_the_same_story_from_two_outlets_shares_a_topic(built: BriefSet) -> None:
    # Ajit Doval's trip to Moscow, told by The Week and by Business Today (both in file 001).
    doval = [b for b in built if any("Doval" in c.text for c in b.cited())]
    assert len(doval) == 1
    titles = " | ".join(s.title for s in doval[0].sources)
    assert "Can India broker peace deal" in titles
    assert "NSA Ajit Doval to visit Russia this week" in titles


def test_two_builds_are_byte_identical(tmp_path: Path, built: BriefSet) -> None:
    out = tmp_path / "again"
    build(Config(), seeds=SEEDS, out=out, progress=False)
    assert load_briefs(out).version == built.version


def test_the_report_counts_what_happened(tmp_path: Path) -> None:
    report = build(Config(), seeds=SEEDS, out=tmp_path / "b", progress=False)
    assert report.files == 5
    assert report.articles_found >= report.articles_distinct > 20
    assert report.duplicates_merged > 0  # file 001 repeats paragraphs and a whole article
    assert sum(report.dropped.values()) > 100
    assert report.sentences_verified >= report.sentences_kept > 300  # a quote may also be a fact
    text = report.format()
    for label in (
        "files read",
        "articles found",
        "lines dropped",
        "duplicates merged",
        "sentences kept",
    ):
        assert label in text
    for topic in report.topics:
        assert topic.slug in text


def seeds_with(tmp_path: Path, name: str, data: bytes) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir(exist_ok=True)
    shutil.copy(SEEDS / "004_71c4f707bff2a7cb.txt", seeds / "004.txt")
    (seeds / name).write_bytes(data)
    return seeds


def test_a_seed_saved_as_windows_1252_is_built_and_named_in_the_report(tmp_path: Path) -> None:
    seed = (SEEDS / "004_71c4f707bff2a7cb.txt").read_text(encoding="utf-8")
    seeds = seeds_with(tmp_path, "legacy.txt", seed.encode("cp1252"))
    (seeds / "004.txt").unlink()
    report = build(Config(), seeds=seeds, out=tmp_path / "b", progress=False)
    assert report.windows_1252 == ("seeds/legacy.txt",)
    assert "seeds/legacy.txt: read as Windows-1252" in report.format()
    cited = [i.text for b in load_briefs(tmp_path / "b").briefs.values() for i in b.cited()]
    assert any("’" in t for t in cited)  # typographic apostrophes came through as themselves


def test_bad_input_is_a_clear_error_and_leaves_the_previous_briefs(tmp_path: Path) -> None:
    out = tmp_path / "briefs"
    build(Config(), seeds=SEEDS, out=out, progress=False)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    seeds = seeds_with(tmp_path, "bad.txt", b"Headline\nSome text \x81\n")
    with pytest.raises(BuildError, match=r"bad.txt"):
        build(Config(), seeds=seeds, out=out, progress=False)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_an_empty_seeds_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    with pytest.raises(BuildError, match=r"seeds"):
        build(Config(), seeds=tmp_path / "seeds", out=tmp_path / "briefs", progress=False)
    assert not (tmp_path / "briefs").exists()


def test_ensure_briefs_builds_only_when_missing_or_stale(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    config = Config(seeds=seeds, briefs=tmp_path / "briefs")
    assert ensure_briefs(config, progress=False) is not None  # missing
    assert ensure_briefs(config, progress=False) is None  # fresh
    with (seeds / "002_84c988ee36998c84.txt").open("a", encoding="utf-8") as f:
        f.write("\n")
    assert ensure_briefs(config, progress=False) is not None  # the seeds changed
    assert ensure_briefs(config, progress=False) is None
    slug = next(iter(load_briefs(config.briefs))).slug
    renamed = dataclasses.replace(config, topics=TopicsConfig(rename={slug: "A new title"}))
    assert ensure_briefs(renamed, progress=False) is not None  # config.yaml's topics changed


def _ensure_in_process(seeds: str, briefs: str) -> bool:
    return ensure_briefs(Config(seeds=Path(seeds), briefs=Path(briefs)), progress=False) is not None


def test_replicas_starting_together_on_stale_briefs_build_once(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    briefs = tmp_path / "briefs"
    with ProcessPoolExecutor(3, mp_context=multiprocessing.get_context("spawn")) as pool:
        built = list(pool.map(_ensure_in_process, [str(seeds)] * 3, [str(briefs)] * 3))
    assert sorted(built) == [False, False, True]
    assert len(load_briefs(briefs)) > 0
    assert not list(tmp_path.glob(".briefs.new-*")) and not list(tmp_path.glob(".briefs.old-*"))


def test_config_can_rename_merge_and_pin_topics_of_the_seeds(
    tmp_path: Path, built: BriefSet
) -> None:
    first, second, third = (b.slug for b in list(built)[:3])
    topics = TopicsConfig(
        rename={first: "A renamed topic"},
        merge=(TopicMerge(into="merged-pair", sources=(second, third), title="Two in one"),),
        pin=(TopicPin(slug="oman-pact", title="The India-Oman trade pact", keywords=("Oman",)),),
    )
    build(Config(topics=topics), seeds=SEEDS, out=tmp_path / "b", progress=False)
    briefs = load_briefs(tmp_path / "b")
    assert briefs.briefs[first].title == "A renamed topic"
    assert briefs.briefs["merged-pair"].title == "Two in one"
    assert second not in briefs.briefs and third not in briefs.briefs
    assert any("Oman" in s.text for s in briefs.briefs["oman-pact"].summary)
    assert len(briefs) == len(built)  # two merged into one, one pinned
