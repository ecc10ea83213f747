"""General-English synonyms from WordNet (bot/data/synonyms.txt, written by
tools/wordnet_synonyms.py): what lets "fled the fighting" meet "fled ... battle" and "movie"
meet "film" when the briefs never use the question's word, and "calling back" meet "recall".

A synonym is looser than the question's own word ("fight" ~ "battle" but also ~ "combat"), so
bot.match gives it part credit (`MatchOptions.synonym_credit`); the short table of news
English in bot.vocab (troops ~ soldiers) counts in full.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "data" / "synonyms.txt"
# The particles of the phrasal verbs in the table ("cal_back": call back). Not "in", "on",
# "about": after a verb they are more often a preposition ("held in Russia", "fall in 2020").
PARTICLES = frozenset(
    {"back", "down", "up", "out", "off", "over", "away", "apart", "aside", "forward"}
)


@cache
def wordnet_synonyms() -> dict[str, tuple[str, ...]]:
    """Stem -> the stems of its synonyms (read once per process, ~10 ms)."""
    table: dict[str, tuple[str, ...]] = {}
    with TABLE.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#"):
                continue
            key, *others = line.split()
            table[key] = tuple(others)
    return table
