"""The briefs' own vocabulary: typo correction, corpus aliases, names, abbreviations.

Everything here is drawn from the corpus, not from a list of questions:
- `Vocabulary.correct` maps an unknown word to the corpus word (or question word) it is a typo
  of (rapidfuzz, Damerau-Levenshtein); `glue` joins words a phone split ("s 400" -> "s400").
- `demonym_aliases` links russia/russian, china/chinese and importer/import as the corpus has
  them; `derivations` links derived forms through a shared root (invaded/invasion);
  `spelling_variants` names spelled two ways (Zelensky/Zelenskyy); `defined_abbreviations`
  reads "Sanctions Act (CAATSA)"; `corpus_names` finds the words the briefs write
  capitalised; `name_pairs` and `initialisms` the two- and three-word names they keep writing.
- `SYNONYMS` is a short table of general news English (troops ~ soldiers), not tuned on any set.

Who speaks in a sentence (speakers, roles, described speakers) is in bot.speakers.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from itertools import pairwise

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from bot.intents import ABBREVIATION, CUE_WORDS
from bot.text import STOPWORDS, stem, tokens

# Words news questions and articles use for the same thing. General English, not drawn from any
# question: a question's word also matches its group's other words.
SYNONYM_GROUPS = (
    "troops soldiers forces servicemen",
    "killed died dead deaths death fatalities",
    "send deploy dispatch",
    "swap exchange",
    "prisoner prisoners detainee detainees imprisoned jailed",
    "deal agreement pact accord treaty",
    "ceasefire truce",
    "talks negotiations",
    "attack strike assault",
    "arrest detain",
    "weapons arms",
    "border frontier",
    "refugees migrants",
    "children kids",
    "funds funding money",
    "buy purchase",
    "country nation",
    "economy gdp",
    "vote election poll",
    "boss chief head",
    "start begin launch",
    "visit trip tour",
    "end finish stop",
)
_DEMONYM_SUFFIXES = ("ians", "ian", "ans", "an", "ns", "n", "is", "i", "ese", "es", "ean", "ish")
# Derived words that name the doer or the act: "importer" ~ "import", "deployment" ~ "deploy".
_DERIVED_SUFFIXES = ("ers", "er", "ments", "ment")


@dataclass(kw_only=True)
class Vocabulary:
    """The words the briefs use, for typo correction. Built once per index; caches corrections."""

    by_length: dict[int, list[str]]  # surface words, most frequent first
    surface: frozenset[str]
    typo_min_length: int
    typo_two_edits: int
    _typo_cache: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _anagram_map: dict[str, list[str]] | None = None
    _initial_map: dict[tuple[int, str], list[str]] | None = None
    _in_order: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Built with the index rather than on the first typo, so no question pays for them
        # (tens of milliseconds on a corpus of 20,000 sentences).
        self._anagrams()
        self.by_initial(0, "")
        self._in_order = sorted(self.surface)

    def completions(self, prefix: str) -> list[str]:
        """Corpus words that start with `prefix` and are longer ("promo" -> "promotional")."""
        start = bisect.bisect_right(self._in_order, prefix)
        found = []
        for word in self._in_order[start:]:
            if not word.startswith(prefix):
                break
            found.append(word)
        return found

    def knows(self, word: str) -> bool:
        return word in self.surface

    def _anagrams(self) -> dict[str, list[str]]:
        """Short corpus words (and question words) by their sorted letters."""
        if self._anagram_map is None:
            found: dict[str, list[str]] = {}
            for word in self.by_length.get(self.typo_min_length - 1, ()):
                found.setdefault("".join(sorted(word)), []).append(word)
            self._anagram_map = found
        return self._anagram_map

    def by_initial(self, length: int, initial: str) -> list[str]:
        """Corpus words of `length` letters starting with `initial`, most frequent first."""
        if self._initial_map is None:
            found: dict[tuple[int, str], list[str]] = {}
            for size, words in self.by_length.items():
                for word in words:
                    found.setdefault((size, word[:1]), []).append(word)
            self._initial_map = found
        return self._initial_map.get((length, initial), [])

    # -- building -------------------------------------------------------------------------

    def question_word(self, word: str) -> str:
        """`word`, or the question word it is a typo of ("hw" -> "how")."""
        if word in self.surface or word in STOPWORDS or not word.isalpha():
            return word
        if len(word) > 4:
            # A mistyped cue of what is asked ("overveiw", "sumary"): one edit, first letter kept.
            for cue in CUE_WORDS:
                if (
                    cue[0] == word[0]
                    and abs(len(cue) - len(word)) <= 1
                    and DamerauLevenshtein.distance(word, cue, score_cutoff=1) <= 1
                ):
                    return cue
            return word
        fixed = self.correct(word)
        return fixed if fixed is not None and fixed in STOPWORDS else word

    def glue(self, words: list[str], apart: Collection[tuple[str, str]] = frozenset()) -> list[str]:
        """Join neighbours the phone split ("s 400" -> "s400", "cease fire" -> "ceasefire")
        when the corpus knows the join, unless the briefs write the two as a name of two words
        (`apart`, stems): "band aid" stays Band Aid, though a headline writes "BandAid"."""
        out: list[str] = []
        i = 0
        while i < len(words):
            if (
                i + 1 < len(words)
                and (words[i] + words[i + 1]) in self.surface
                and (stem(words[i]), stem(words[i + 1])) not in apart
            ):
                out.append(words[i] + words[i + 1])
                i += 2
            else:
                out.append(words[i])
                i += 1
        return out

    def correct(self, word: str) -> str | None:
        """The corpus word (or stopword) this unknown word is a typo of, if one is close enough:
        the commonest of the closest (`candidates`)."""
        found = self.candidates(word)
        return found[0] if found else None

    def candidates(self, word: str) -> tuple[str, ...]:
        """The corpus words (or a stopword) closest to this unknown word, if any is close
        enough, most frequent first: "lazer" -> ("later", "laser"). The caller may pick by
        context."""
        if word in self._typo_cache:
            return self._typo_cache[word]
        found: tuple[str, ...] = ()
        if 2 <= len(word) <= 3 and word.isalpha():
            # "hw", "wre": a question word with a letter missing or two swapped. Only question
            # words: an unknown short word is more often a name ("jio", "nfl") than a typo.
            for cand in STOPWORDS:
                if len(cand) in (len(word), len(word) + 1) and (
                    DamerauLevenshtein.distance(word, cand, score_cutoff=1) <= 1
                    and (len(cand) > len(word) or sorted(cand) == sorted(word))
                ):
                    found = (cand,)
                    break
        elif len(word) >= 4 and word.isalpha():
            edits = 2 if len(word) >= self.typo_two_edits else 1
            # normalized_similarity = 1 - edits / longer length: half an edit of slack keeps
            # float rounding from turning away a word exactly `edits` away.
            cutoff = 1 - (edits + 0.5) / (len(word) + 1)
            short = len(word) < self.typo_min_length
            # (similarity, (length tried, frequency rank), word): lengths nearest the word's own
            # are tried first, and within one length the commoner word first.
            best: list[tuple[float, tuple[int, int], str]] = []
            # A 4-letter word is only corrected by a swap of two letters ("waht" -> "what") or
            # one missing letter ("nort" -> "north"): "rain" must not become "ain" or "rail".
            # A word of n letters is within `edits` edits only of words of n - edits to n + edits.
            lengths = (
                (len(word), len(word) + 1)
                if short
                else sorted(
                    range(len(word) - edits, len(word) + edits + 1),
                    key=lambda n: abs(n - len(word)),
                )
            )
            for tried, length in enumerate(lengths):
                # A typo rarely touches a word's first letter (Pollock and Zamora, 1983: about
                # 7% of misspellings), and a word that meets a corpus word only by changing it
                # is another word: "iphone" is not "phone", "marsh" could be "harsh".
                choices = self.by_initial(length, word[0])
                if short and length == len(word):
                    choices = [
                        c
                        for c in self._anagrams().get("".join(sorted(word)), ())
                        if c[0] == word[0]
                    ]
                if not choices:
                    continue
                for cand, score, rank in process.extract(
                    word,
                    choices,
                    scorer=DamerauLevenshtein.normalized_similarity,
                    processor=None,
                    score_cutoff=cutoff,
                    limit=None,
                ):
                    best.append((score, (tried, rank), cand))
            if best:
                top = max(score for score, _, _ in best)
                found = tuple(c for sc, _, c in sorted(best, key=lambda b: b[1]) if sc == top)
            elif word.endswith("s") and len(word) > self.typo_min_length:
                # A possessive typed without its apostrophe, and mistyped: "putims" -> "putin".
                found = self.candidates(word[:-1])
        if len(self._typo_cache) < 10_000:
            self._typo_cache[word] = found
        return found


def term_stems(text: str) -> set[str]:
    return {stem(w) for w in tokens(text) if w not in STOPWORDS}


def defined_abbreviations(text: str) -> dict[str, frozenset[str]]:
    """Abbreviations a sentence defines: "Sanctions Act (CAATSA)" -> {"caatsa": {...words}}."""
    out: dict[str, frozenset[str]] = {}
    for m in ABBREVIATION.finditer(text):
        abbr = m.group(2)
        words = re.findall(r"[A-Z][\w’'-]+", m.group(1))
        # The phrase is the run of capitalised words right before the bracket whose initials
        # spell the abbreviation.
        for k in range(len(words), 1, -1):
            phrase = words[-k:]
            if "".join(w[0] for w in phrase) == abbr:
                out[abbr.lower()] = frozenset(term_stems(" ".join(phrase)))
                break
    return out


def spelled_acronyms(briefs: Iterable[Iterable[str]]) -> dict[str, frozenset[str]]:
    """Acronyms a brief uses and a name it writes out whose initials spell them, with no
    bracket between: "the National Endowment for Democracy" ... "The N.E.D. was set up by
    Congress" -> {"ned": {national, endowment, democracy}}. `briefs`: each brief's sentences.
    Three letters or more (two-letter ones collide: "US"); the name in the same brief as the
    acronym ("AMD" in a brief on chips is not "Actor Michael Douglas" in one on films); of
    several names with the same initials, the most written."""
    names: dict[str, Counter[str]] = defaultdict(Counter)
    for texts in briefs:
        texts = list(texts)
        used = {a.replace(".", "").lower() for text in texts for a in _ACRONYM.findall(text)}
        if not used:
            continue
        small = {w for text in texts for w in _SMALL_WORD.findall(text)}
        for text in texts:
            for m in _LONG_NAME.finditer(text):
                name = [w for w in m.group(0).split() if w.lower() not in STOPWORDS]
                # A sentence's first word is capitalised anyway: "Although Mr Raskin ..." is no
                # name when the brief writes "although" elsewhere.
                if name and not text[: m.start()].strip(" \"“‘'") and name[0].lower() in small:
                    name = name[1:]
                initials = "".join(w[0] for w in name).lower()
                if len(name) >= 3 and initials in used:
                    names[initials][" ".join(name)] += 1
    return {
        acronym: frozenset(term_stems(found.most_common(1)[0][0]))
        for acronym, found in names.items()
    }


# "N.E.D.", "ICC", "NATO": three capitals or more, dotted or not.
_ACRONYM = re.compile(r"\b(?:[A-Z]\.){3,}|\b[A-Z]{3,}\b")
# Three to six capitalised words, "for", "of", "and", "the", "on" allowed between them.
_LONG_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:(?:for|of|and|the|on)\s+)?[A-Z][a-z]+){2,5}\b")


_CAPITAL_WORD = re.compile(r"\b[A-Z][a-z]+\b")
_QUOTE_OPENER = re.compile(r"[“\"‘]([A-Z][a-z]+)\b")


def capitalised(texts: Iterable[str], counts: dict[str, int]) -> dict[str, int]:
    """Words written capitalised inside sentences at least four times in five, with how often.

    `counts` holds every word's occurrences (lowercased); the first word of a sentence or a
    quotation is not counted as capitalised, since it says nothing.
    """
    upper: dict[str, int] = defaultdict(int)
    for text in texts:
        for word in _CAPITAL_WORD.findall(text, 1):
            upper[word.lower()] += 1
        for word in _QUOTE_OPENER.findall(text):
            upper[word.lower()] -= 1
    return {
        w: n
        for w, n in upper.items()
        if n >= 1 and n >= 0.8 * counts.get(w, n) and w not in STOPWORDS
    }


def corpus_names(texts: Iterable[str], counts: dict[str, int]) -> frozenset[str]:
    """Stems written capitalised inside sentences at least twice, four times in five: names."""
    return frozenset(stem(w) for w, n in capitalised(texts, counts).items() if n >= 2)


_HYPHENATED = re.compile(r"\b[^\W\d_]+(?:-[^\W\d_]+)+\b")
_SMALL_WORD = re.compile(r"\b[a-z]+\b")
_TWO_OR_THREE_NAMES = re.compile(r"\b([A-Z][a-z]+)\s+([A-Z][a-z]+)(?:\s+([A-Z][a-z]+))?\b")


def name_pairs(texts: Iterable[str], min_count: int = 2) -> frozenset[tuple[str, str]]:
    """Stems of two capitalised words the briefs write together as one name at least
    `min_count` times ("North Korea", "Band Aid"): in a question, the second word counts only
    next to the first ("South Korea" is not North Korea, "the band ... Live Aid" not Band
    Aid)."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for text in texts:
        for m in _TWO_OR_THREE_NAMES.finditer(text):
            words = [w.lower() for w in m.groups() if w]
            for a, b in pairwise(words):
                if a not in STOPWORDS and b not in STOPWORDS:
                    counts[(stem(a), stem(b))] += 1
    return frozenset(pair for pair, n in counts.items() if n >= min_count)


def given_names(texts: Iterable[str], proper: Collection[str]) -> dict[str, frozenset[str]]:
    """Surname stem -> the stems of the given names one article writes with it ("Peter
    Molyneux" ... "Mr Molyneux said"): news names a person in full once, then by surname, and a
    question names them in full. `texts` are one article's sentences. The given names must be
    names of the corpus (`proper`: "Leading British" is not one), and the surname never written
    in small letters (a surname often opens a sentence, so `proper` may miss it). A surname
    written with two given names (Donald and Melania Trump) is two people and left out."""
    given: dict[str, set[str]] = defaultdict(set)
    small: set[str] = set()
    for text in texts:
        small.update(_SMALL_WORD.findall(text))
        for m in _TWO_OR_THREE_NAMES.finditer(text):
            *firsts, surname = (w.lower() for w in m.groups() if w)
            if all(w in proper for w in firsts) and surname not in STOPWORDS:
                given[surname].add(" ".join(stem(w) for w in firsts))
    return {
        stem(surname): frozenset(firsts.pop().split())
        for surname, firsts in given.items()
        if len(firsts) == 1 and surname not in small
    }


def hyphenated(texts: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Words the briefs write with hyphens, by how a phone types them run together: "jayz" ->
    ("jay", "z"), "walmart" -> ("wal", "mart"). The briefs' words are split at hyphens, so a
    question's "jayz" is otherwise a word no brief uses."""
    return {
        "".join(parts): tuple(parts)
        for text in texts
        for word in _HYPHENATED.findall(text)
        for parts in (word.lower().split("-"),)
    }


def initialisms(texts: Iterable[str], min_count: int = 3) -> dict[str, tuple[str, ...]]:
    """Initials a phone user types for a name the briefs write out: "nk" -> ("north",
    "korea"), "pm" -> ("prime", "minister"). The most frequent run of two or three capitalised
    words with those initials, when written at least `min_count` times."""
    counts: dict[tuple[str, ...], int] = defaultdict(int)
    for text in texts:
        for m in _TWO_OR_THREE_NAMES.finditer(text):
            words = tuple(w.lower() for w in m.groups() if w)
            if not any(w in STOPWORDS for w in words):
                counts[words] += 1
    best: dict[str, tuple[tuple[str, ...], int]] = {}
    for words, n in counts.items():
        key = "".join(w[0] for w in words)
        if n >= min_count and (key not in best or n > best[key][1]):
            best[key] = (words, n)
    return {key: words for key, (words, _) in best.items()}


def _synonyms() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for group in SYNONYM_GROUPS:
        stems = {stem(w) for w in group.split()}
        for st in stems:
            out.setdefault(st, set()).update(stems)
    return out


SYNONYMS = _synonyms()


def demonym_aliases(stems: set[str]) -> dict[str, frozenset[str]]:
    """Pairs such as russia/russian, ukraine/ukrainian, china/chinese that the corpus uses, and
    derived words (importer/import, winner/win)."""
    links: dict[str, set[str]] = defaultdict(set)
    for word in stems:
        if len(word) < 5 or not word.isalpha():
            continue
        for suffix in _DEMONYM_SUFFIXES + _DERIVED_SUFFIXES:
            if not word.endswith(suffix):
                continue
            base = word[: -len(suffix)]
            if suffix in _DERIVED_SUFFIXES:
                # "winner" ~ "win", "shipper" ~ "ship": the doubled consonant goes too. The base
                # need not be in the corpus: a question's "won" (-> "win") finds "winner".
                doubled = base[-1:] == base[-2:-1]
                for cand in (base[:-1],) if doubled else (base,):
                    if len(cand) >= 3 and cand != word:
                        links[word].add(cand)
                        links[cand].add(word)
                continue
            for cand in (base, base + "a"):
                if len(cand) >= 4 and cand in stems and cand != word:
                    links[word].add(cand)
                    links[cand].add(word)
    return {k: frozenset(v) for k, v in links.items()}


# Derivational endings, after `stem` has taken the inflection off: "negotiation" -> "negotiat"
# (as "negotiate"), "withdrawal" -> "withdraw", "economic" -> "econom(y)", "terrorism" ->
# "terror". With the shortest base each may leave.
_DERIVATIONS = (
    ("ation", 5),
    ("ion", 5),
    ("nes", 5),  # "readiness" as stem() leaves it: "readines"
    ("ive", 5),
    ("ism", 5),
    ("ist", 5),
    ("ally", 5),
    ("al", 5),
    ("ic", 5),
    ("or", 5),  # mediator -> mediate, investor -> invest
    ("ly", 4),
)


def derivation_roots(word_stem: str) -> frozenset[str]:
    """The roots a stem may share with its derived forms: itself, and for each derivational
    ending it has, the base with the spellings that ending hides ("invasion" -> "invas",
    "invad"; "occupation" -> "occup", "occupy"). Two stems with a root in common are one word
    in two forms. ("-ment" is left to `demonym_aliases`, which links it one way only:
    "statement" is not "state".)"""
    roots = {word_stem}
    if not word_stem.isalpha():
        return frozenset(roots)
    for suffix, shortest in _DERIVATIONS:
        if not word_stem.endswith(suffix) or len(word_stem) - len(suffix) < shortest:
            continue
        base = word_stem[: -len(suffix)]
        roots |= {base, base + "y"}
        if base.endswith("i"):
            roots.add(base[:-1] + "y")  # readiness -> ready, denial -> deny
        if base.endswith("e"):
            roots.add(base[:-1])  # as stem() writes it
        if suffix == "ion" and base.endswith("s") and not base.endswith("ss"):
            roots.add(base[:-1] + "d")  # invasion -> invade, decision -> decide
    return frozenset(roots)


def derivations(stems: Iterable[str]) -> dict[str, frozenset[str]]:
    """Root -> the corpus stems that have it, for roots two or more stems share or that differ
    from the stem: a question's "invaded" (root "invad") finds the briefs' "invasion"."""
    groups: dict[str, set[str]] = defaultdict(set)
    for word_stem in stems:
        for root in derivation_roots(word_stem):
            groups[root].add(word_stem)
    return {
        root: frozenset(found)
        for root, found in groups.items()
        if len(found) > 1 or root not in found
    }


def spelling_variants(names: Iterable[str]) -> dict[str, frozenset[str]]:
    """Names the corpus spells two ways, one letter apart: Zelensky/Zelenskyy, Donbas/Donbass.

    Transliterated names vary between outlets; a question spelled one way should find the
    other. Only names (words the briefs capitalise) of five letters or more with the same first
    three letters, so common words and short names ("Iran"/"Iraq") stay apart.
    """
    by_prefix: dict[str, list[str]] = defaultdict(list)
    for name in sorted(names):
        if len(name) >= 5 and name.isalpha():
            by_prefix[name[:3]].append(name)
    links: dict[str, set[str]] = defaultdict(set)
    for group in by_prefix.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if DamerauLevenshtein.distance(a, b, score_cutoff=1) <= 1:
                    links[a].add(b)
                    links[b].add(a)
    return {k: frozenset(v) for k, v in links.items()}
