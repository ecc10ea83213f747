"""The brief schema: what the build writes loads back equal; broken files are named precisely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.briefs import brief_to_dict, dump_yaml, load_briefs, parse_brief
from bot.errors import BriefError

FIXTURES = Path(__file__).resolve().parent / "data" / "fixture_briefs"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "briefs"
    shutil.copytree(FIXTURES, out)
    return out


def edit(path: Path, change: dict[str, object]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(change)
    path.write_text(dump_yaml(data), encoding="utf-8")


def test_the_fixture_briefs_load_in_index_order() -> None:
    briefs = load_briefs(FIXTURES)
    assert [b.slug for b in briefs] == [
        "kursk-fighting",
        "hegseth-ukraine-borders",
        "india-russia-ties",
    ]
    kursk = briefs.get("kursk-fighting")
    assert kursk is not None
    assert kursk.citation(kursk.summary[0]) == "seeds/000_d182a795cbf2b895.txt:2"


def test_a_brief_written_and_parsed_back_compares_equal() -> None:
    for brief in load_briefs(FIXTURES):
        again = parse_brief(yaml.safe_load(dump_yaml(brief_to_dict(brief))), "again.yaml")
        assert again == brief


def test_cited_yields_every_sentence_once_summary_first() -> None:
    kursk = load_briefs(FIXTURES).briefs["kursk-fighting"]
    texts = [c.text for c in kursk.cited()]
    assert len(texts) == len(set(texts))
    assert texts[0] == kursk.summary[0].text


def test_the_version_changes_when_any_brief_changes(folder: Path) -> None:
    before = load_briefs(folder).version
    edit(folder / "kursk-fighting.yaml", {"title": "Kursk"})
    assert load_briefs(folder).version != before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"schema": 2}, r"kursk-fighting.yaml: schema: version 2 is not supported"),
        ({"slug": "Kursk Fighting"}, r"kursk-fighting.yaml: slug: 'Kursk Fighting' is not"),
        ({"title": " "}, r"kursk-fighting.yaml: title: must not be empty"),
        ({"summary": []}, r"kursk-fighting.yaml: summary: a brief needs at least one"),
        ({"summary": [{"text": "x", "source": "s9", "line": 2}]}, r"summary\[0\].source: unknown source id 's9'"),
        ({"summary": [{"text": "x", "source": "s1", "line": 99}]}, r"summary\[0\].line: 99 is outside its source's lines 1-55"),
        ({"summary": [{"text": "x", "source": "s1"}]}, r"summary\[0\].line: required field is missing"),
        ({"colour": "red"}, r"kursk-fighting.yaml: colour: unknown setting"),
        ({"keywords": "kursk"}, r"keywords: expected a list of text"),
    ],
)  # fmt: skip
def test_a_broken_brief_is_refused_with_file_and_field(
    folder: Path, change: dict[str, object], message: str
) -> None:
    edit(folder / "kursk-fighting.yaml", change)
    with pytest.raises(BriefError, match=message):
        load_briefs(folder)


def test_an_index_that_names_another_slug_is_refused(folder: Path) -> None:
    edit(folder / "kursk-fighting.yaml", {"slug": "kursk"})
    with pytest.raises(BriefError, match=r"slug: 'kursk' does not match the index entry"):
        load_briefs(folder)


def test_an_index_may_not_point_outside_its_folder(folder: Path) -> None:
    index = yaml.safe_load((folder / "index.yaml").read_text(encoding="utf-8"))
    index["topics"][0]["file"] = "../elsewhere.yaml"
    (folder / "index.yaml").write_text(dump_yaml(index), encoding="utf-8")
    with pytest.raises(BriefError, match=r"topics\[0\].file: '../elsewhere.yaml' must be a file"):
        load_briefs(folder)


def test_missing_and_unparsable_files_say_what_to_do(folder: Path, tmp_path: Path) -> None:
    with pytest.raises(BriefError, match=r"no briefs index; run `briefbot build` first"):
        load_briefs(tmp_path / "nowhere")
    (folder / "india-russia-ties.yaml").unlink()
    with pytest.raises(
        BriefError, match=r"india-russia-ties.yaml: file not found; run `briefbot build`"
    ):
        load_briefs(folder)
    (folder / "index.yaml").write_text("schema: 1\ntopics: [\n", encoding="utf-8")
    with pytest.raises(BriefError, match=r"index.yaml:\d+: not valid YAML; rebuild"):
        load_briefs(folder)
