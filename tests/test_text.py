"""bot.text: the normalisation every brief sentence and every question goes through."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.text import STOPWORDS, content_tokens, normalize, stem, tokens


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Russia’s S-400 deal", "russia's s400 deal"),
        ("  Ünited\tNations \n", "united nations"),
        (
            "“These are the most brutal battles — I haven’t seen”",
            "these are the most brutal battles - i haven't seen",
        ),
        ("SU-57 jets", "su57 jets"),
        ("emoji 🙂 and #hashtag!", "emoji and hashtag"),
        ("", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Russia’s S-400 deal", ["russia", "s400", "deal"]),
        (
            "An estimated 2,000 to 3,000 Russian civilians remain.",
            ["an", "estimated", "2000", "to", "3000", "russian", "civilians", "remain"],
        ),
        ("U.S. officials said 3.5% rose.", ["us", "officials", "said", "3.5", "rose"]),
        ("S-400 vs S400", ["s400", "vs", "s400"]),
    ],
)
def test_tokens(raw: str, expected: list[str]) -> None:
    assert tokens(raw) == expected


def test_content_tokens_drop_question_words() -> None:
    assert content_tokens("waht did hegseth say abt borders?") == ["waht", "hegseth", "borders"]
    assert content_tokens("what is the latest news?") == []


@pytest.mark.parametrize(
    "group",
    [
        ("talks", "talked", "talking", "talk"),
        ("rules", "ruled", "rule"),
        ("kill", "kills", "killed", "killing"),
        ("policies", "policy"),
        ("sanction", "sanctions", "sanctioned"),
    ],
)
def test_stem_joins_word_forms(group: tuple[str, ...]) -> None:
    assert len({stem(w) for w in group}) == 1


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("defence", "defense"),
        ("offences", "offenses"),
        ("modernising", "modernizing"),
        ("organisation", "organization"),
        ("analysed", "analyzed"),
        ("centre", "center"),
        ("metres", "meters"),
        ("labour", "labor"),
        ("neighbours", "neighbors"),
        ("favourite", "favorite"),
    ],
)
def test_british_and_american_spellings_meet(british: str, american: str) -> None:
    assert stem(british) == stem(american)


@pytest.mark.parametrize(("a", "b"), [("four", "for"), ("hour", "hor"), ("rise", "rize")])
def test_short_words_are_not_respelled(a: str, b: str) -> None:
    assert stem(a) != stem(b)


def test_stem_leaves_numbers_and_short_words() -> None:
    assert stem("2000") == "2000"
    assert stem("s400") == "s400"
    assert stem("gas") == "gas"


def test_stopwords_are_normalised_words() -> None:
    assert all(normalize(w) == w and " " not in w for w in STOPWORDS)


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(st.text())
def test_tokens_are_normalised_and_nonempty(text: str) -> None:
    for tok in tokens(text):
        assert tok
        assert " " not in tok


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("buildings", "building"),
        ("speeds", "speed"),
        ("hundreds", "hundred"),
        ("meetings", "meeting"),
    ],
)
def test_a_plural_meets_its_singular_when_the_word_ends_like_a_verb_form(
    plural: str, singular: str
) -> None:
    assert stem(plural) == stem(singular)
