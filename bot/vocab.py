"""The briefs' own vocabulary: typo correction, corpus aliases, names, speakers, abbreviations.

Everything here is drawn from the corpus, not from a list of questions:
- `Vocabulary.correct` maps an unknown word to the corpus word (or question word) it is a typo
  of (rapidfuzz, Damerau-Levenshtein); `glue` joins words a phone split ("s 400" -> "s400").
- `demonym_aliases` links russia/russian, china/chinese and importer/import as the corpus has
  them; `defined_abbreviations` reads "Sanctions Act (CAATSA)"; `corpus_names` finds the words
  the briefs write capitalised; `speakers_in` the words next to "said" or "told";
  `roles_in` the role a sentence gives a name ("Peskov, the Kremlin's spokesman"),
  `described_speakers` a speaker given by description only ("a senior Russian source said").
- `SYNONYMS` is a short table of general news English (troops ~ soldiers), not tuned on any set.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from itertools import pairwise

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from bot.intents import ABBREVIATION, CUE_WORDS, REPORTED
from bot.text import STOPWORDS, normalize, stem, tokens

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
    _typo_cache: dict[str, str | None] = field(default_factory=dict)
    _anagram_map: dict[str, list[str]] | None = None
    _initial_map: dict[tuple[int, str], list[str]] | None = None

    def __post_init__(self) -> None:
        # Built with the index rather than on the first typo, so no question pays for them
        # (tens of milliseconds on a corpus of 20,000 sentences).
        self._anagrams()
        self.by_initial(0, "")

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
        """The corpus word (or stopword) this unknown word is a typo of, if one is close enough."""
        if word in self._typo_cache:
            return self._typo_cache[word]
        found: str | None = None
        if 2 <= len(word) <= 3 and word.isalpha():
            # "hw", "wre": a question word with a letter missing or two swapped. Only question
            # words: an unknown short word is more often a name ("jio", "nfl") than a typo.
            for cand in STOPWORDS:
                if len(cand) in (len(word), len(word) + 1) and (
                    DamerauLevenshtein.distance(word, cand, score_cutoff=1) <= 1
                    and (len(cand) > len(word) or sorted(cand) == sorted(word))
                ):
                    found = cand
                    break
        elif len(word) >= 4 and word.isalpha():
            edits = 2 if len(word) >= self.typo_two_edits else 1
            # normalized_similarity = 1 - edits / longer length: half an edit of slack keeps
            # float rounding from turning away a word exactly `edits` away.
            cutoff = 1 - (edits + 0.5) / (len(word) + 1)
            short = len(word) < self.typo_min_length
            best: tuple[str, float] | None = None
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
            for length in lengths:
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
                hit = process.extractOne(
                    word,
                    choices,
                    scorer=DamerauLevenshtein.normalized_similarity,
                    processor=None,
                    score_cutoff=cutoff,
                )
                if hit is not None and (best is None or hit[1] > best[1]):
                    best = (hit[0], hit[1])
            found = best[0] if best else None
            if found is None and word.endswith("s") and len(word) > self.typo_min_length:
                # A possessive typed without its apostrophe, and mistyped: "putims" -> "putin".
                found = self.correct(word[:-1])
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


# A run of capitalised words (a name, with titles and initials): "Lt. Gen. Apti Alaudinov",
# "Mr. Peskov", "King Abdullah", "South Korea's National Intelligence Service".
_NAME_RUN = r"(?:[A-Z][\w’'.-]*(?:\s+(?:of\s+|de\s+|van\s+)?|’s\s+|'s\s+)){0,4}[A-Z][\w’'-]*"
_VERB = "|".join(sorted(REPORTED - {"according", "saying"}))
# "told X": X is who listened.
_VERB_BEFORE_SPEAKER = "|".join(sorted(REPORTED - {"according", "told", "saying"}))
# "X said", "X, a senior fellow at Y, said", "X has said"; "said X"; "according to X".
_SPEAKER_BEFORE = re.compile(
    rf"({_NAME_RUN})(?:,[^.;“”\"]{{0,120}})?,?\s+(?:has\s+|had\s+|also\s+|later\s+)?(?:{_VERB})\b"
)
# The name right before the verb, with nothing between: "China, North Korea and Iran, McFate
# said" is McFate's, though China starts a run of commas that reaches "said" too.
_SPEAKER_ADJACENT = re.compile(rf"({_NAME_RUN})\s+(?:has\s+|had\s+|also\s+|later\s+)?(?:{_VERB})\b")
# Any verb of speech at all: most sentences have none, and skip the slower patterns.
_ANY_VERB = re.compile(rf"\b(?:{_VERB}|according to)\b")
_SPEAKER_AFTER = re.compile(
    rf"\b(?:{_VERB_BEFORE_SPEAKER}|according to)\s+(?:the\s+)?({_NAME_RUN})"
)


# A name followed by its verb, maybe after an apposition: "Lyubov, a mother of four, is",
# "North Korean leader Kim Jong Un hailed".
_SUBJECT = re.compile(
    rf"({_NAME_RUN})(?:,[^.;“”\"]{{0,120}},)?\s+(?:also\s+|later\s+|then\s+|now\s+)?"
    rf"(?:[a-z]+ed|is|was|has|had|says|told)\b"
)


def subject_name(text: str) -> frozenset[str]:
    """Stems of the first name in a sentence that is the subject of a verb, if any."""
    for m in _SUBJECT.finditer(text):
        found = term_stems(m.group(1))
        if found:
            return frozenset(found)
    return frozenset()


_LEADING_NAME = re.compile(rf"[\"“‘']?({_NAME_RUN})(?=,|\s+[a-z])")


def leading_name(text: str) -> frozenset[str]:
    """Stems of the name a sentence opens on, its subject ("Zoya, 64, described ...", "Zoya
    spent most of her time ..."), unless that first word is a function word ("In", "The")."""
    m = _LEADING_NAME.match(text)
    if m is None or m.group(1).split()[0].lower() in STOPWORDS:
        return frozenset()
    return frozenset(term_stems(m.group(1)))


def speakers_in(text: str) -> frozenset[str]:
    """Who a sentence reports speaking: the name right before "said", "told"... or right after
    it ("Trump said", "Brian Katulis, a senior fellow, said", "said Belousova", "according to
    TASS"). Stems of the name's words; a name merely mentioned elsewhere in the sentence is not
    its speaker ("the meeting between Witkoff and Kushner, said Bevuz": Bevuz speaks)."""
    found: set[str] = set()
    if not _ANY_VERB.search(text):
        return frozenset()
    before = list(_SPEAKER_ADJACENT.finditer(text)) or _SPEAKER_BEFORE.finditer(text)
    for pattern in (before, _SPEAKER_AFTER.finditer(text)):
        for m in pattern:
            found |= term_stems(m.group(1))
    return frozenset(found)


# A role written next to a name, set off by commas: "Dmitri S. Peskov, the spokesman for the
# Kremlin, said"; "Vikram Misri, India’s foreign secretary, has listed" (after the name);
# "Venezuela’s defense minister, Vladimir Padrino López, said"; "The secretary general of the
# Arab League, Ahmed Aboul Gheit, alluded" (before it).
# ... or a noun with no article, as in "says Jose Barrionuevo, head of strategy for Barclays
# Capital." or "Karen Thomson, Chief Executive of AOL UK, said" (a function word there opens
# no role: "Mr. Trump, he added, does not"); a role after a name may end the sentence.
_ROLE_OPENER = (
    r"(?:[Aa]n?|[Tt]he|[A-Z][\w.]*(?:’s|'s)|[a-z]+|(?:[A-Z][a-z]+\s){1,3}(?:of|at|for))\s"
)
# "U.S. Defense Secretary" is one role; a full stop before a small letter or the end is not.
_ROLE_TEXT = r"(?:[^,.;:“”\"()—]|\.(?=\S)|(?<=[A-Z])\.(?=\s[A-Z])){2,100}?"
_ROLE_AFTER = re.compile(rf"({_NAME_RUN}),\s+({_ROLE_OPENER}{_ROLE_TEXT})(?:,|\.$|\.\s)")
_ROLE_BEFORE = re.compile(
    rf"(?:^|[,—]\s+|\b)((?:[Aa]n?|[Tt]he|[A-Z][\w.]*(?:’s|'s))\s{_ROLE_TEXT}),\s+({_NAME_RUN}),"
)
# Name runs of two words or more: a title written capitalised before a name is part of it
# ("Defence Minister Rajnath Singh", "President Vladimir V. Putin of Russia").
_TITLED_NAME = re.compile(_NAME_RUN.replace("{0,4}", "{1,4}", 1))


_LAST_WORD = re.compile(r"([^\W_]+)[’'.-]*$")


def _name_key(run: str, wanted: Collection[str] | None) -> tuple[str, set[str]]:
    """The stem a name run is known by (its last word before any "of": the surname) and the
    stems of its other words ("President Vladimir V. Putin of Russia" -> putin, {president,
    vladimir, russia}). Nothing for a key not in `wanted` (when given)."""
    head, _, place = run.partition(" of ")
    if head.endswith(("’s", "'s")) or re.search(r"\w-[A-Z]", head):
        return "", set()  # "Venezuela’s" qualifies what follows, "Modi-Putin" pairs two names
    last = _LAST_WORD.search(head)
    if last is None:
        return "", set()
    word = last.group(1)
    key = stem(word.lower() if word.isascii() else normalize(word))
    if len(key) < 2 or (wanted is not None and key not in wanted):
        return "", set()
    words = tokens(head)
    while words and words[0] in STOPWORDS:
        words = words[1:]  # "For President Putin", "On Tuesday"
    if not words:
        return "", set()
    return stem(words[-1]), {stem(w) for w in words[:-1]} | term_stems(place)


def roles_in(text: str, wanted: Collection[str] | None = None) -> dict[str, set[str]]:
    """Roles a sentence gives to names: surname stem -> stems of the words that describe it
    (only for surnames in `wanted`, when given: the index asks only about speakers).

    Mined from the text itself so that a question naming a speaker by role ("what did the
    defence secretary say", "the Kremlin spokesman") finds the name the articles quote
    (Hegseth, Peskov) in sentences that give only the name.
    """
    found: dict[str, set[str]] = defaultdict(set)
    set_off = ", " in text
    for name, role in (
        *((m.group(1), m.group(2)) for m in (_ROLE_AFTER.finditer(text) if set_off else ())),
        *((m.group(2), m.group(1)) for m in (_ROLE_BEFORE.finditer(text) if set_off else ())),
    ):
        # "For Putin, Modi’s visit, which ...": an opening phrase, not a name and its role.
        if name.split(maxsplit=1)[0].lower() in STOPWORDS:
            continue
        opener = role.split(maxsplit=1)[0]
        if opener.islower() and opener in STOPWORDS and opener not in ("a", "an", "the"):
            continue
        key, _ = _name_key(name, wanted)
        if key:
            found[key] |= term_stems(role)
    for m in _TITLED_NAME.finditer(text):
        key, rest = _name_key(m.group(0), wanted)
        if key and rest:
            found[key] |= rest
    for key, words in found.items():
        words.discard(key)
    return {k: v for k, v in found.items() if v}


_ACTS = re.compile(r"\s+(?:[a-z]+ed|is|was|has|had|says|told)\b")


def acting_roles(text: str) -> frozenset[str]:
    """Stems of a role set off after a name that then does the sentence's verb ("Vikram Misri,
    India’s foreign secretary, has listed ...": {india, foreign, secretary}): the role of the
    sentence's subject, from the sentence itself."""
    found: set[str] = set()
    for m in _ROLE_AFTER.finditer(text) if ", " in text else ():
        opener = m.group(2).split(maxsplit=1)[0]
        if opener.islower() and opener in STOPWORDS and opener not in ("a", "an", "the"):
            continue
        if _ACTS.match(text, m.end()) and m.group(1).split()[0].lower() not in STOPWORDS:
            found |= term_stems(m.group(2))
    return frozenset(found)


# A speaker named by a description, not a name: "A third Russian source said", "the
# commander, who leads about 200 men, said", "Top government sources told".
_DESCRIBED_SPEAKER = re.compile(
    rf"(?:^|(?<=[,;:“”\"—])\s*|\b)(?:[Aa]n?|[Tt]he|[Aa]nother|[Tt]op)\s+"
    rf"((?:[\w’'.-]+\s+){{0,4}}?[\w’'-]+)(?:,[^.;“”\"]{{0,120}},)?\s+"
    rf"(?:has\s+|had\s+|also\s+|later\s+)?(?:{_VERB})\b"
)


def described_speakers(text: str) -> frozenset[str]:
    """Stems of the description of a speaker the sentence does not name ("a senior Russian
    source told Reuters" -> {senior, russian, sourc}): a question asks for them by it."""
    found: set[str] = set()
    if not _ANY_VERB.search(text):
        return frozenset()
    for m in _DESCRIBED_SPEAKER.finditer(text):
        found |= term_stems(m.group(1))
    return frozenset(found)


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
