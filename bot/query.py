"""A question in plain words -> its weighted terms and what kind of answer it asks for.

The first step of matching (bot.match scores the result). Pure: reads only the index.

1. Small talk goes ("hey quick question, ..."), phone shorthand is read out ("ppl", "yr"),
   mistyped question words are fixed ("hw many"), and the intents are read: overview, quote
   (and whose words), number, date, who, define, why (bot.intents).
2. The words of the question's form leave ("catch me up on", "how many", "what year"),
   shortened months are written out ("dec"), the content words are glued where a phone split
   them ("s 400" -> "s400"), initials the briefs never use are spelled out ("nk" -> "north
   korea") and a word they hyphenate split as they do ("jayz" -> "jay z"), a verb and its
   particle read as one ("calling back"), an unknown demonym is read as the place the briefs
   write ("finnish" -> "Finland-based"), a word the briefs never use but whose synonym they do
   is kept ("nukes"), other unknown words are corrected against the briefs' vocabulary
   (bot.vocab; of equally close words, the one found with the question's other words), then
   stemmed.
3. Each term weighs its IDF (a word no brief uses weighs as the rarest: that is what declines
   a question on the weather) and carries the stems that count as it: corpus aliases
   (russia/russian, Zelensky/Zelenskyy, CAATSA), general news synonyms and derived forms
   (invaded/invasion); and, apart (`near`, part credit in bot.match), its general-English
   synonyms the briefs use (bot.lexicon: "movie" -> "film", "calling back" -> "recall").
4. Words bound to each other: "the president of France" holds France only next to
   "president", a two-word name of the briefs ("north korea") its second word only after the
   first, "visiting japan" Japan only next to a visit (or trip, tour).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from bot.index import IndexData
from bot.intents import (
    ACCORDING_TO,
    DATE_INTENT,
    DEFINE_INTENT,
    HOW,
    MEANING,
    MONTH_ABBREVIATIONS,
    NUMBER_INTENT,
    OVERVIEW,
    QUOTE_INTENT,
    SCAFFOLD,
    SHORTHAND,
    SMALL_TALK,
    SPEECH_VERB,
    WHEN_FORM,
    WHO_INTENT,
    WHY_INTENT,
)
from bot.lexicon import PARTICLES, wordnet_synonyms
from bot.text import STOPWORDS, normalize, stem, tokens
from bot.vocab import SYNONYMS, derivation_roots

# Endings of demonyms and adjectives of place ("finnish", "chechen", "pakistani").
_DEMONYM_ENDINGS = ("ians", "ian", "ish", "ese", "ans", "an", "en", "is", "i")
# "the president of france", "the head of the ELN": a role and what it belongs to.
_OF_PHRASE = re.compile(r"\b(\w+) of (?:the )?(\w+)")


@dataclass(frozen=True, kw_only=True)
class Term:
    """One content word of a question."""

    word: str  # as typed, normalised
    key: str  # the stem used for matching (after typo correction)
    alts: frozenset[str]  # stems that count as this term (key plus corpus synonyms)
    weight: float  # 0..1
    known: bool  # False: the briefs never use this word
    name: bool = False  # the briefs write it capitalised: a person, place or organisation
    # A name before the verb of "what did X say/tell/think": the one whose words are asked for.
    speaker: bool = False
    # Corpus stems that are general-English synonyms of it (bot.lexicon, "movie" -> "film"),
    # besides `alts`: looser, so they earn part credit.
    near: frozenset[str] = frozenset()


@dataclass(frozen=True, kw_only=True)
class Query:
    text: str
    norm: str
    terms: tuple[Term, ...]
    intents: frozenset[str]  # "overview", "quote", "number", "date", "who", "define", "why"
    topic_text: str  # the question without overview phrases, for title matching
    # "who is the president of France": (president, France) as term positions. A sentence
    # holds "France" for this question only next to "president" ("France 24 ... President
    # Zelenskyy" and "buying from France and Italy" do not).
    bound: tuple[tuple[int, int], ...] = ()

    @property
    def weight(self) -> float:
        return sum(t.weight for t in self.terms)


def analyse(index: IndexData, text: str) -> Query:
    """The question's weighted terms and what kind of answer it asks for."""
    norm = normalize(text)
    # Question words mistyped ("hw many", "wen did") still say what kind of answer is
    # wanted: the intents are read from the text with them corrected.
    norm = " ".join(
        index.vocab.question_word(SHORTHAND.get(w, w) if not index.vocab.knows(w) else w)
        for w in norm.split()
    )
    # "hey quick question, when did ...": the question starts after the small talk.
    norm = SMALL_TALK.sub("", norm)
    intents = _intents(norm)
    terms = _terms(index, norm, _speaker_words(norm))
    topic_text = " ".join(w for w in OVERVIEW.sub(" ", norm).split() if w not in STOPWORDS)
    return Query(
        text=text,
        norm=norm,
        terms=terms,
        intents=intents,
        bound=_bound(index, norm, terms, intents),
        topic_text=topic_text,
    )


def _intents(norm: str) -> frozenset[str]:
    intents = set()
    if OVERVIEW.search(norm):
        intents.add("overview")
    if QUOTE_INTENT.search(norm):
        intents.add("quote")
    if NUMBER_INTENT.search(norm):
        intents.add("number")
    if DATE_INTENT.search(norm):
        intents.add("date")
    if WHO_INTENT.search(norm):
        intents.add("who")
    if WHY_INTENT.search(norm):
        intents.add("why")
    if (DEFINE_INTENT.search(norm) and len(norm.split()) <= 6) or MEANING.search(norm):
        intents.add("define")
    return frozenset(intents)


def _form_dropped(norm: str) -> str:
    """The question without the words of its form: "how many", "according to", "what does X
    mean", "what year", and the overview request ("catch me up on", "brief me on")."""
    for form in (OVERVIEW, HOW, MEANING, ACCORDING_TO, WHEN_FORM):
        norm = form.sub(" ", norm)
    # "putin's dec 2021 trip": the briefs write months out.
    return " ".join(MONTH_ABBREVIATIONS.get(w, w) for w in norm.split())


def _speaker_words(norm: str) -> set[str]:
    """Whose words are asked for: the words before "say" ("what did Kushner say about
    Donbas"), or after "according to"."""
    according = ACCORDING_TO.search(norm)
    if according:
        return set(tokens(norm[according.end() :]))
    verb = SPEECH_VERB.search(norm)
    return set(tokens(norm[: verb.start()])) if verb else set()


def _terms(index: IndexData, norm: str, speaker_words: set[str]) -> tuple[Term, ...]:
    typed = _spell_out(index, index.vocab.glue(tokens(_form_dropped(norm)), index.pairs))
    phrasal = _phrasal_verbs(typed)
    words = [
        w
        for i, w in enumerate(typed)
        if w not in STOPWORDS and (len(w) > 1 or w.isdigit()) and i - 1 not in phrasal
    ]
    # A verb and its particle: "calling back" -> the synonyms of "call back" (recall).
    particle_of = {typed[i]: key for i, key in phrasal.items()}
    terms: list[Term] = []
    seen: set[str] = set()
    # The question's words the briefs know: what a typo is corrected towards ("intel silcon
    # lazer" -> "laser", which stands with Intel and silicon, not the commoner "later").
    context = {stem(w) for w in words if stem(w) in index.postings}
    for word in words:
        known = index.vocab.knows(word) or stem(word) in index.postings
        fixed = word if known else _place_of(index, word)
        if fixed is None and _near(index, stem(word)):
            fixed = word  # not a typo: a word the briefs say otherwise ("nukes" -> "nuclear")
        elif fixed is None:
            fixed = _correct(index, word, context) or _clipped(index, word)
        if fixed is not None and fixed in STOPWORDS:
            continue  # "waht" was "what"
        if fixed is None:
            key, weight = stem(word), index.options.unknown_weight
        else:
            key = stem(fixed)
            weight = index.idf.get(key, index.options.unknown_weight)
        if key in seen or word in SCAFFOLD:
            continue
        seen.add(key)
        alts = frozenset(
            {key}
            | index.aliases.get(key, frozenset())
            | SYNONYMS.get(key, set())
            | _derived_forms(index, key)
        )
        name = key in index.names
        near = frozenset() if name else _near(index, key) - alts
        if word in particle_of:
            near |= _near(index, particle_of[word]) - alts
        if key not in index.postings and near:
            # A word the briefs never use whose synonym they do is known through it, as rare
            # as the synonym.
            weight = max(index.idf.get(s, weight) for s in near)
        terms.append(
            Term(
                word=word,
                key=key,
                alts=alts,
                weight=weight,
                known=fixed is not None,
                name=name,
                speaker=word in speaker_words,
                near=near,
            )
        )
    return tuple(terms)


def _bound(
    index: IndexData, norm: str, terms: tuple[Term, ...], intents: frozenset[str]
) -> tuple[tuple[int, int], ...]:
    """Pairs of term positions (head, tail): the tail counts only next to the head."""
    bound: list[tuple[int, int]] = []
    if intents & {"who", "define"}:
        position = {t.word: i for i, t in enumerate(terms)}
        for head, tail in _OF_PHRASE.findall(norm):
            if head in position and tail in position:
                bound.append((position[head], position[tail]))
    # A two-word name of the briefs asked as such: its second word counts only next to the
    # first ("band aid": not "the band ... Live Aid"; "north korea": not "South Korea").
    for i in range(len(terms) - 1):
        if (terms[i].key, terms[i + 1].key) in index.pairs:
            bound.append((i, i + 1))
    # Where someone goes: "visiting japan", "a trip to oman" hold the place only next to the
    # journey ("a visit to Russia ... Japan" is no visit to Japan). A place is a name after the
    # journey that nobody speaks under ("visit putin" is a meeting).
    for i in range(len(terms) - 1):
        a, b = terms[i], terms[i + 1]
        if not a.alts.isdisjoint(_JOURNEY) and b.name and b.alts.isdisjoint(index.speaker_stems):
            bound.append((i, i + 1))
    return tuple(bound)


_JOURNEY = frozenset({"visit", "trip", "tour", "travel"})


def _spell_out(index: IndexData, words: list[str]) -> list[str]:
    """Initials the briefs never use, written out as the name they stand for there ("nk
    troops" -> "north korea troops"), and a word the briefs hyphenate typed without its
    hyphens, split as the briefs' words are ("jayz" -> "jay z")."""
    out: list[str] = []
    for w in words:
        full = None
        if not index.vocab.knows(w):
            full = index.initials.get(w) if 2 <= len(w) <= 3 else index.hyphenated.get(w)
        out.extend(full or (w,))
    return out


def _correct(index: IndexData, word: str, context: set[str]) -> str | None:
    """The correction of a mistyped word: of the corpus words equally close to it, the one
    whose articles most often also hold another word of the question ("laser" is in Intel's
    article on silicon; "later" is everywhere, so seldom with them), the commonest on a tie."""
    candidates = index.vocab.candidates(word)
    if len(candidates) > 1 and context:
        best, share = candidates[0], 0.0
        for cand in candidates:
            groups = {index.sentences[sid].group for sid in index.postings.get(stem(cand), ())}
            together = sum(not context.isdisjoint(index.article_terms[g]) for g in groups)
            if groups and together / len(groups) > share:
                best, share = cand, together / len(groups)
        return best
    return candidates[0] if candidates else None


def _phrasal_verbs(words: list[str]) -> dict[int, str]:
    """Position of a verb followed by its particle -> the phrasal verb's key in the WordNet
    table ("calling back" -> "cal_back"; bot.lexicon)."""
    table = wordnet_synonyms()
    found: dict[int, str] = {}
    for i, (verb, particle) in enumerate(pairwise(words)):
        key = f"{stem(verb)}_{particle}"
        if particle in PARTICLES and key in table:
            found[i] = key
    return found


# A clipped word: at least this many letters (four-letter ones are as often words of their
# own: "rain", "mess", "heal"), and the word it is short for this many more
# ("promo" for "promotional", "recon" for "reconnaissance", "admin" for "administration").
CLIPPED_MIN = 5
CLIPPED_MORE = 2


def _clipped(index: IndexData, word: str) -> str | None:
    """The corpus word a word the briefs do not know is short for, the commonest if several."""
    if len(word) < CLIPPED_MIN or not word.isalpha():
        return None
    longer = [w for w in index.vocab.completions(word) if len(w) >= len(word) + CLIPPED_MORE]
    if not longer:
        return None
    return max(longer, key=lambda w: (len(index.postings.get(stem(w), ())), -len(w), w))


def _near(index: IndexData, key: str) -> frozenset[str]:
    """The corpus stems that are WordNet synonyms of the stem `key`."""
    return frozenset(s for s in wordnet_synonyms().get(key, ()) if s in index.postings)


def _derived_forms(index: IndexData, key: str) -> frozenset[str]:
    """Corpus stems sharing a derivational root with `key` ("negotiat" -> "negotiation")."""
    found: set[str] = set()
    for root in derivation_roots(key):
        found |= index.derived.get(root, frozenset())
        if root in index.postings:
            found.add(root)  # "modernization" -> the briefs' "modernize"
    return frozenset(found)


def _place_of(index: IndexData, word: str) -> str | None:
    """The corpus name an unknown demonym refers to: "finnish" -> "finland", "chechen" ->
    "chechnya" (the corpus writes "Finland-based", "Chechnya region"). Its stem without the
    suffix (a doubled last letter undone) begins a word the briefs write capitalised, at most
    four letters longer; the shortest such name wins. Tried before typo correction, which
    would make "finnish" the common "finish"."""
    if len(word) < 5 or not word.isalpha():
        return None
    for suffix in _DEMONYM_ENDINGS:
        base = word[: -len(suffix)]
        if not word.endswith(suffix) or len(base) < 3:
            continue
        if base[-1] == base[-2]:
            base = base[:-1]
        for length in range(len(base), len(base) + 5):
            for cand in index.vocab.by_initial(length, base[0]):
                if cand.startswith(base) and cand in index.proper:
                    return cand
        return None
    return None
