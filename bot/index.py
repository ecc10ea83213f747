"""A brief set turned into what the matcher reads: sentences with their terms and kinds, topics
with their names and salience, postings, IDF, the vocabulary. Built once per brief set
(`MatchIndex.build`, again on every /reload); the scoring over it is in bot.match.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Self

from bot.briefs import Brief, BriefSet, Cited, Quote
from bot.intents import (
    DEFINES,
    FUTURE,
    QUOTE_MARKS,
    REASON,
    REPORTED,
    counted_words,
    has_age,
    has_date,
    has_money,
    has_number,
    has_quantity,
)
from bot.speakers import (
    acting_roles,
    described_speakers,
    leading_name,
    roles_in,
    speakers_in,
    subject_name,
)
from bot.text import STOPWORDS, normalize, stem, tokens
from bot.vocab import (
    Vocabulary,
    capitalised,
    defined_abbreviations,
    demonym_aliases,
    derivations,
    given_names,
    hyphenated,
    initialisms,
    name_pairs,
    spelled_acronyms,
    spelling_variants,
    term_stems,
)

Section = str  # "summary" | "facts" | "quotes" | "timeline" | "details"


@dataclass(frozen=True, kw_only=True)
class MatchOptions:
    """The matcher's knobs. Defaults were tuned on tests/data/questions.yaml (tuned part only)."""

    # Share of a term's weight earned when the term is not in the sentence but in its article's
    # headline or its topic's title, keywords, people or places.
    context_credit: float = 0.6
    # Weight of a word the corpus never uses, relative to the rarest corpus word (1.0).
    unknown_weight: float = 1.0
    # Below this total (in units of the rarest word's weight) a question is too vague to answer
    # with confidence ("russia?"), and the confidence is scaled down in proportion.
    min_specificity: float = 0.45
    # Typo correction (Damerau-Levenshtein, a swap is one edit). Words of this length or more
    # may be corrected to a corpus word: one edit up to `typo_two_edits` letters, two from there.
    # Shorter words of 4 letters are only corrected to question words ("waht" -> "what"):
    # "rain" is one edit from "rail" and "main" and must stay the unknown word it is.
    typo_min_length: int = 5
    typo_two_edits: int = 10
    # Boosts for sentences of the kind a question asks for. They order sentences; they do not
    # add to the confidence.
    intent_boost: float = 0.08
    # ...and a sentence without what the question asks for (a number for "how many", a date
    # for "when", a quotation or reported speech for "what did X say") ranks this much lower.
    intent_mismatch: float = 0.7
    # A name (a word the briefs write capitalised) that the sentence's article never uses
    # counts twice, and at least this much (weight 0..1): "what did Hegseth say about India" is
    # not answered from an article on Hegseth that never mentions India, however common India
    # is elsewhere. Other missing words are paraphrase, not a near miss.
    absent_floor: float = 0.45
    # Any other word of the question at least that rare that the sentence's article never uses
    # adds this share of its weight to what the question asks: on a big corpus, words of the
    # question met by chance elsewhere in the article ("cold weather in London" for "weather
    # in london tomorrow") should neither pass nor rank first.
    absent_word_share: float = 0.5
    # Share of a term's weight earned when it is not in the sentence but in the sentence just
    # before or after it in the same article ("A missile hit Sudzha's school." / "The attack
    # killed at least four people." answers "how many died when the missile hit the school").
    window_credit: float = 0.5
    # A name in the question (a word the briefs write capitalised) that the sentence's article
    # never uses also multiplies the confidence by this: a question about a person or place the
    # article is not about is a near miss, however well the rest of it matches.
    near_miss_factor: float = 0.7
    # The question's weightiest word written in at most `passing_mentions` sentences of the
    # article, none of which holds another word of the question, is a passing mention there
    # (a list item, an aside): the confidence is multiplied by this.
    passing_mentions: int = 2
    passing_mention_factor: float = 0.7
    # "What did X say": a sentence where neither it nor the one next to it has X as its speaker
    # (the name before "said", after "said", or a Quote's speaker) has its confidence multiplied
    # by this. X being merely mentioned while someone else speaks is a near miss.
    other_speaker_factor: float = 0.6
    # ... and by this too when nobody speaks there at all (no quotation or reported speech in
    # it, none in the sentence after it): "Umerov and Natov are visiting Miami" tells what
    # they did, not what they said.
    silent_factor: float = 0.75
    # "What did X say about Y": a sentence where X speaks but neither it nor the one next to it
    # holds any word of Y has its confidence multiplied by this (X on another subject).
    off_topic_factor: float = 0.6
    # A name of the question that the sentence, the sentences next to it and its article's
    # headline all lack, while the article names it elsewhere, multiplies the confidence by
    # this; a name the article keeps coming back to (`recurring_name` sentences) is what the
    # article is about and is not missing.
    missing_name_factor: float = 0.7
    recurring_name: int = 3
    # "How many X" where no figure in or next to the sentence stands next to X (bot.nearmiss
    # rule 4): the count asked for is not there, however well the words match. Under
    # answer_cutoff (0.55) by itself: such a sentence is never the answer. At 0.7 two near
    # misses passed ("how many nuclear weapons does north korea have") and one paraphrase the
    # pairing cannot see was answered ("12 million subjects" for Jordanians).
    uncounted_factor: float = 0.5
    # A question on what is still to come ("when will ...", "the next summit") answered by a
    # sentence that tells of none (bot.nearmiss rule 4): its date is of something past ("the 2019 BRICS Summit in Brazil" for "the next one").
    tense_factor: float = 0.6
    # Share of a term's weight earned by a general-English synonym of it (bot.lexicon: "film"
    # for "movie"), which is looser than the word itself.
    synonym_credit: float = 0.7
    # Matched weight (in rarest-word units) that is sure enough however long the question is.
    saturation: float = 2.5


@dataclass(frozen=True, kw_only=True)
class IndexedSentence:
    id: int
    slug: str
    item: Cited
    section: Section
    order: int  # position in the brief, for stable ties
    terms: frozenset[str]
    sequence: tuple[str, ...]  # the stems of all its words, in order (for proximity)
    has_number: bool
    has_quantity: bool  # a figure that is not a year or a day of a date
    has_money: bool = False  # an amount of money ("$1.75bn", "Rs 5,000 crore")
    has_age: bool = False  # someone's age ("the 64-year-old", "aged 44")
    # Stems of the words next to its figures (bot.intents.counted_words): what they count.
    counted: frozenset[str] = frozenset()
    has_date: bool
    future: bool = False  # tells of what is still to come ("will", "plans to", "next week")
    is_quote: bool
    group: int  # article-within-topic group, for context credit
    speaker: frozenset[str] = frozenset()  # stems of a Quote's speaker
    # Stems of the name doing the sentence's first verb ("Navalnaya mocked the process"): for
    # "what did X say", X acting in the sentence is as good as X speaking.
    subject: frozenset[str] = frozenset()
    defines: bool = False  # reads like a definition ("X, a Marxist group, ...")
    gives_reason: bool = False  # gives a cause or a purpose ("because", "blamed ... on")
    # Stems of the roles the briefs give its speaker anywhere ("Peskov, the
    # Kremlin's spokesman"): "what did the Kremlin spokesman say" is asked of Peskov.
    roles: frozenset[str] = frozenset()
    # For a sentence that opens on "she" or "he": stems of whom it is about, from the sentences
    # before it (bot.index._referents). They count as its neighbours' words do.
    about: frozenset[str] = frozenset()


@dataclass(frozen=True, kw_only=True)
class IndexedTopic:
    slug: str
    title: str
    title_norm: str
    slug_words: str
    name_terms: frozenset[str]  # title, keywords, people, places
    terms: frozenset[str]  # everything the topic holds
    size: int
    # term -> how concentrated it is here (0..1): its share of this topic's sentences over its
    # highest share in any topic. "kursk" is 1.0 in the Kursk brief, less where it is mentioned.
    salience: dict[str, float] = field(default_factory=dict)


@dataclass(kw_only=True)
class IndexData:
    """Everything the matcher needs from a brief set, computed once."""

    options: MatchOptions
    sentences: list[IndexedSentence]
    topics: dict[str, IndexedTopic]
    postings: dict[str, list[int]]
    # stem -> the sentences with a figure standing next to it (IndexedSentence.counted).
    counted_postings: dict[str, list[int]] = field(default_factory=dict)
    idf: dict[str, float]  # stem -> weight 0..1
    aliases: dict[str, frozenset[str]]
    # Root -> corpus stems derived from it (bot.vocab.derivations): "negotiating" meets
    # "negotiations", "invaded" "invasion", "withdrawal" "withdraw".
    derived: dict[str, frozenset[str]] = field(default_factory=dict)
    # Initials -> the name they stand for ("nk" -> north korea), for words the briefs never use.
    initials: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Hyphenated words by their letters run together ("jayz" -> jay, z; bot.vocab.hyphenated).
    hyphenated: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Two-word names the briefs write (stems): ("north", "korea"), ("band", "aid").
    pairs: frozenset[tuple[str, str]] = frozenset()
    vocab: Vocabulary
    # Stems the briefs write capitalised inside sentences: names of people, places, bodies.
    names: frozenset[str] = frozenset()
    # Words the briefs write capitalised, even once ("Finland-based"): places a demonym may
    # refer to.
    proper: frozenset[str] = frozenset()
    group_terms: list[frozenset[str]]
    # Every word of an article as the brief holds it (its sentences and headline), by group.
    article_terms: list[frozenset[str]] = field(default_factory=list)
    # group -> its article's sentences in the article's order: a story's opening lines.
    articles: list[tuple[int, ...]] = field(default_factory=list)
    # sentence id -> (previous, next) sentence of the same article in the same brief, when the
    # brief holds it: a reply that starts "He said" needs the sentence before it.
    neighbours: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = field(default_factory=dict)
    # sentence id -> the words of the sentences just before and after it and of whom it is
    # about (`about`): what earns `window_credit`.
    window_terms: list[frozenset[str]] = field(default_factory=list)
    # stem -> the sentences whose `window_terms` hold it: a question's neighbour credit is
    # read from these once per question rather than sentence by sentence.
    window_postings: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # stem -> the sentences in which someone of that name may speak (their speaker, subject or
    # roles hold it): "what did X say" finds from these, once per question, the sentences
    # where X cannot be speaking, whose best case bot.match then lowers before scoring them.
    speaker_postings: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # Sentences followed by a quotation ("In a letter, Kim hailed Putin." / "He said ..."): they
    # answer "what did X say" together with it.
    leads_quote: frozenset[int] = frozenset()
    # Every stem of every speaker: "what did Lyubov say" names a speaker even when her name is
    # written once.
    speaker_stems: frozenset[str] = frozenset()

    @classmethod
    def build(cls, briefs: BriefSet, options: MatchOptions | None = None) -> Self:
        options = options or MatchOptions()
        sentences: list[IndexedSentence] = []
        topics: dict[str, IndexedTopic] = {}
        surface_counts: dict[str, int] = defaultdict(int)
        sentence_counts: dict[str, int] = defaultdict(int)  # in sentences only, for names
        group_terms: list[frozenset[str]] = []
        headlines: list[frozenset[str]] = []  # by group: the article's own headline
        topic_counts: dict[str, dict[str, int]] = {}
        # Acronyms: those a bracket defines ("Sanctions Act (CAATSA)") over those merely
        # spelled by a name written elsewhere ("N.E.D." and "National Endowment for Democracy").
        abbreviations = spelled_acronyms([item.text for item in brief.cited()] for brief in briefs)
        for brief in briefs:
            for item in brief.cited():
                if "(" in item.text:
                    abbreviations.update(defined_abbreviations(item.text))
        # An abbreviation is looked up from the rarest-looking (longest) word of its phrase.
        by_first_word: dict[str, list[str]] = defaultdict(list)
        for abbr, phrase in abbreviations.items():
            if phrase:
                by_first_word[max(sorted(phrase), key=len)].append(abbr)
        for brief in briefs:
            name_text = " ".join(
                (
                    brief.title,
                    brief.slug.replace("-", " "),
                    *brief.keywords,
                    *brief.people,
                    *brief.places,
                )
            )
            name_terms = term_stems(name_text)
            brief_start = len(sentences)
            groups: dict[str, int] = {}
            topic_terms: set[str] = set(name_terms)
            for order, (section, item) in enumerate(_sections(brief)):
                words = tokens(item.text)
                for w in words:
                    surface_counts[w] += 1
                    sentence_counts[w] += 1
                terms = {stem(w) for w in words if w not in STOPWORDS}
                for abbr in terms & abbreviations.keys():
                    terms |= abbreviations[abbr]
                for t in terms & by_first_word.keys():
                    terms.update(a for a in by_first_word[t] if abbreviations[a] <= terms)
                if item.source not in groups:
                    groups[item.source] = len(group_terms)
                    headline = _source_title(brief, item.source)
                    # The article's own headline and the topic's title: a sentence is about
                    # these even when it does not repeat them. Not the topic's keywords or
                    # people, which may come from another article of a merged topic.
                    group_terms.append(
                        frozenset(
                            term_stems(f"{headline} {brief.title} {brief.slug.replace('-', ' ')}")
                        )
                    )
                    headlines.append(frozenset(term_stems(headline)))
                topic_terms |= terms
                sentences.append(
                    IndexedSentence(
                        id=len(sentences),
                        slug=brief.slug,
                        item=item,
                        section=section,
                        order=order,
                        terms=frozenset(terms),
                        sequence=tuple(stem(w) for w in words),
                        has_number=has_number(item.text, words),
                        has_quantity=has_quantity(item.text, words),
                        has_money=has_money(item.text),
                        has_age=has_age(item.text),
                        counted=frozenset(
                            stem(w) for w in counted_words(item.text, tokens, STOPWORDS)
                        )
                        if has_number(item.text, words)
                        else frozenset(),
                        has_date=has_date(item.text),
                        future=bool(FUTURE.search(item.text)),
                        is_quote=isinstance(item, Quote)
                        or bool(QUOTE_MARKS.search(item.text))
                        or not REPORTED.isdisjoint(words),
                        defines=bool(DEFINES.search(item.text)),
                        gives_reason=bool(REASON.search(item.text)),
                        group=groups[item.source],
                        # A quotation's attributed speaker, and whoever its own words name
                        # ("said GE's chief executive Jeff Immelt" attributed to GE).
                        speaker=(
                            frozenset(term_stems(item.speaker)) | speakers_in(item.text)
                            if isinstance(item, Quote)
                            else speakers_in(item.text)
                        ),
                        subject=subject_name(item.text),
                    )
                )
            for text in (brief.title, *brief.keywords, *brief.people, *brief.places):
                for w in tokens(text):
                    surface_counts[w] += 1
            first = brief_start
            counts: dict[str, int] = defaultdict(int)
            for s in sentences[first:]:
                for t in s.terms:
                    counts[t] += 1
            topic_counts[brief.slug] = counts
            topics[brief.slug] = IndexedTopic(
                slug=brief.slug,
                title=brief.title,
                title_norm=normalize(brief.title),
                slug_words=brief.slug.replace("-", " "),
                name_terms=frozenset(name_terms),
                terms=frozenset(topic_terms),
                size=sum(1 for _ in brief.cited()),
            )
        articles = _articles(sentences, len(group_terms))
        neighbours = _neighbours(sentences, articles)
        sentences = _continued_quotes(_pronoun_speakers(sentences, neighbours), neighbours)
        sentences = _referents(_with_roles(sentences), neighbours)
        proper = capitalised((s.item.text for s in sentences), sentence_counts)
        sentences = _with_given_names(sentences, articles, proper)
        names = frozenset(stem(w) for w, n in proper.items() if n >= 2)
        # A word's share of a topic's sentences, smoothed so a 7-sentence brief that names
        # India three times does not outweigh the 150-sentence brief about India.
        smooth = 10
        best_share: dict[str, float] = defaultdict(float)
        for slug, counts in topic_counts.items():
            size = topics[slug].size + smooth
            for t, c in counts.items():
                best_share[t] = max(best_share[t], c / size)
        for slug, counts in topic_counts.items():
            size = topics[slug].size + smooth
            topics[slug].salience.update({t: c / size / best_share[t] for t, c in counts.items()})
        postings: dict[str, list[int]] = defaultdict(list)
        counted: dict[str, list[int]] = defaultdict(list)
        for s in sentences:
            for t in s.terms:
                postings[t].append(s.id)
            for t in s.counted:
                counted[t].append(s.id)
        for topic in topics.values():
            for t in topic.name_terms:
                postings.setdefault(t, [])
        n = max(len(sentences), 1)
        raw = {t: math.log((n + 1) / (len(ids) + 0.5)) for t, ids in postings.items()}
        top = max(raw.values(), default=1.0) or 1.0
        idf = {t: max(v, 0.05 * top) / top for t, v in raw.items()}
        vocab_by_length: dict[int, list[str]] = defaultdict(list)
        for word in sorted(surface_counts, key=lambda w: (-surface_counts[w], w)):
            if word.isalpha() or any(c.isalpha() for c in word):
                vocab_by_length[len(word)].append(word)
        for word in STOPWORDS:
            vocab_by_length[len(word)].append(word)
        window_terms = [
            frozenset().union(*(sentences[n].terms for n in (*before[:1], *after[:1])), s.about)
            for s in sentences
            for before, after in (neighbours.get(s.id, ((), ())),)
        ]
        return cls(
            options=options,
            sentences=sentences,
            topics=topics,
            postings=dict(postings),
            counted_postings=dict(counted),
            idf=idf,
            aliases=_merge(demonym_aliases(set(postings)), spelling_variants(names)),
            derived=derivations(postings),
            initials=initialisms(s.item.text for s in sentences),
            hyphenated=hyphenated(s.item.text for s in sentences),
            pairs=name_pairs(s.item.text for s in sentences),
            neighbours=neighbours,
            window_terms=window_terms,
            window_postings=_inverted(window_terms),
            speaker_postings=_inverted([s.speaker | s.subject | s.roles for s in sentences]),
            leads_quote=_leads_quote(sentences, neighbours),
            vocab=Vocabulary(
                by_length=dict(vocab_by_length),
                surface=frozenset(surface_counts),
                typo_min_length=options.typo_min_length,
                typo_two_edits=options.typo_two_edits,
            ),
            names=names,
            proper=frozenset(proper),
            speaker_stems=frozenset().union(*(s.speaker for s in sentences)),
            group_terms=_with_recurring_names(group_terms, sentences, names, options),
            article_terms=_article_terms(sentences, headlines),
            articles=articles,
        )


def _articles(sentences: list[IndexedSentence], groups: int) -> list[tuple[int, ...]]:
    """By group (an article within a brief), the ids of its sentences in the article's order."""
    by_group: list[list[IndexedSentence]] = [[] for _ in range(groups)]
    for s in sentences:
        by_group[s.group].append(s)
    return [tuple(s.id for s in sorted(g, key=lambda s: (s.item.line, s.order))) for g in by_group]


def _leads_quote(
    sentences: list[IndexedSentence],
    neighbours: dict[int, tuple[tuple[int, ...], tuple[int, ...]]],
) -> frozenset[int]:
    """Sentences followed by a quotation that is not someone else's: "In a letter, Kim hailed
    Putin." / "“Our army ...”". "In 1982, Mr Raskin left Apple." does not lead a colleague's
    words."""
    out = set()
    for sid, (_, after) in neighbours.items():
        s = sentences[sid]
        if not after or s.is_quote:
            continue
        nxt = sentences[after[0]]
        if nxt.is_quote and (not nxt.speaker or not nxt.speaker.isdisjoint(s.subject)):
            out.add(sid)
    return frozenset(out)


def _inverted(sets: list[frozenset[str]]) -> dict[str, tuple[int, ...]]:
    """Stem -> the positions of the sets holding it."""
    found: dict[str, list[int]] = defaultdict(list)
    for i, stems in enumerate(sets):
        for st in stems:
            found[st].append(i)
    return {st: tuple(ids) for st, ids in found.items()}


def _merge(*tables: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for table in tables:
        for k, v in table.items():
            out[k] = out.get(k, frozenset()) | v
    return out


# Reported speech whose speaker is a pronoun: "..., she said in an interview".
_PRONOUN_SAID = re.compile(r"\b(?:he|she)\s+(?:said|says|added|told|explained|noted|wrote)\b", re.I)


def _pronoun_speakers(
    sentences: list[IndexedSentence],
    neighbours: dict[int, tuple[tuple[int, ...], tuple[int, ...]]],
) -> list[IndexedSentence]:
    """A sentence where "she said" takes its speaker from the sentence before it in the same
    article: that sentence's speaker, else its subject ("Lyubov, a mother of four, is ..." /
    "..., she said"); back past up to two sentences with neither ("She said the goal ..." /
    "The tech-fest runs from 6 to 9 January." / "“The digital revolution ...,” she told
    delegates" is hers). A quotation's first word is no subject ("“Revolution has always
    been ...”")."""
    out = list(sentences)
    for s in sentences:
        if s.speaker or not _PRONOUN_SAID.search(s.item.text):
            continue
        for sid in _back(neighbours, s.id):
            prev = out[sid]
            speaker = prev.speaker or (
                frozenset() if _OPENS_QUOTE.match(prev.item.text) else subject_name(prev.item.text)
            )
            if speaker:
                out[s.id] = replace(s, speaker=speaker)
                break
    return out


def _continued_quotes(
    sentences: list[IndexedSentence],
    neighbours: dict[int, tuple[tuple[int, ...], tuple[int, ...]]],
) -> list[IndexedSentence]:
    """A quotation that names no speaker is the words of whoever speaks in the quotation
    right before it, else right after it: news runs one speaker's words over several
    sentences ("“It gave me a start professionally.” / “In those days we were doing a play
    every four weeks,” he said.")."""
    out = list(sentences)
    for s in sentences:
        if s.speaker or not _OPENS_QUOTE.match(s.item.text):
            continue
        before, after = neighbours.get(s.id, ((), ()))
        for nid in (*before[:1], *after[:1]):
            near = sentences[nid]
            if near.speaker and near.is_quote:
                out[s.id] = replace(s, speaker=near.speaker)
                break
    return out


_OPENS_QUOTE = re.compile(r"\s*[\"“‘']")


def _back(
    neighbours: dict[int, tuple[tuple[int, ...], tuple[int, ...]]], sid: int, steps: int = 3
) -> Iterator[int]:
    """The sentences before `sid` in its article, nearest first, each the one right before
    the last (at most two lines apart), up to `steps` of them."""
    for _ in range(steps):
        before = neighbours.get(sid, ((), ()))[0]
        if not before:
            return
        sid = before[0]
        yield sid


# A sentence that opens on a pronoun ("She said she walked five miles") or reports a pronoun's
# words ("..., she said in an interview").
_PRONOUN_LED = re.compile(
    r"^[\"“‘']?(?:he|she|they)\b|\b(?:he|she)\s+(?:said|says|added|told|explained|noted|wrote)\b",
    re.I,
)


def _referents(
    sentences: list[IndexedSentence],
    neighbours: dict[int, tuple[tuple[int, ...], tuple[int, ...]]],
) -> list[IndexedSentence]:
    """A pronoun-led sentence is about the person the sentences before it were about: the
    nearest one back (up to three) that opens on, quotes or acts through a person, a person
    being someone the briefs quote ("Zoya spent most of her time in her basement." / "Hunger
    eventually drove her to attempt an escape." / "“There was nowhere left to live,” she said."
    / "She said she walked five miles ..." is Zoya's walk)."""
    persons = frozenset().union(*(s.speaker for s in sentences))
    out = list(sentences)
    for s in sentences:
        if not _PRONOUN_LED.search(s.item.text):
            continue
        if s.speaker - s.subject:
            # "..., she said": about whom `_pronoun_speakers` found speaking, when the
            # sentence does not name them itself.
            if s.speaker.isdisjoint(s.terms):
                out[s.id] = replace(s, about=s.speaker)
            continue
        for sid in _back(neighbours, s.id):
            prev = sentences[sid]
            found = (leading_name(prev.item.text) | prev.subject) & persons or prev.speaker
            if found:
                about = found - s.terms
                if about:
                    out[s.id] = replace(s, about=frozenset(about))
                break
    return out


def _with_roles(sentences: list[IndexedSentence]) -> list[IndexedSentence]:
    """Each sentence with the roles its speaker has anywhere in the briefs, and the
    description of a speaker it does not name."""
    roles: dict[str, set[str]] = defaultdict(set)
    speakers = frozenset().union(*(s.speaker for s in sentences))
    for s in sentences:
        if s.terms.isdisjoint(speakers):
            continue  # names no one the briefs quote: no role to learn here
        for key, words in roles_in(s.item.text, speakers).items():
            roles[key] |= words
    out = []
    for s in sentences:
        # The speaker's roles from anywhere; the acting subject's only from this sentence
        # ("Vikram Misri, India's foreign secretary, has listed"): the subject of a verb is too
        # often a place or a thing ("Ukraine's incursion had failed"), with no role.
        found = set().union(*(roles.get(w, ()) for w in s.speaker))
        found |= acting_roles(s.item.text)
        found |= described_speakers(s.item.text)
        out.append(replace(s, roles=frozenset(found - s.speaker - s.subject)) if found else s)
    return out


def _sections(brief: Brief) -> Iterable[tuple[Section, Cited]]:
    seen: set[str] = set()
    for section in ("summary", "facts", "quotes", "timeline", "details"):
        for item in getattr(brief, section):
            if item.text not in seen:
                seen.add(item.text)
                yield section, item


def _source_title(brief: Brief, source_id: str) -> str:
    try:
        return brief.source(source_id).title
    except KeyError:
        return ""


def _with_given_names(
    sentences: list[IndexedSentence],
    articles: list[tuple[int, ...]],
    proper: Collection[str],
) -> list[IndexedSentence]:
    """A sentence naming someone by surname ("Blume said") holds the given name its article
    writes with it ("Judy Blume"), as words, as speaker and as subject: "what did Judy Blume
    say" asks for it."""
    out = list(sentences)
    for ids in articles:
        group = [sentences[sid] for sid in ids]
        given = given_names((s.item.text for s in group), proper)
        for s in group:
            terms = _in_full(s.terms, given)
            if terms != s.terms:
                out[s.id] = replace(
                    s,
                    terms=terms,
                    speaker=_in_full(s.speaker, given),
                    subject=_in_full(s.subject, given),
                )
    return out


def _in_full(names: frozenset[str], given: dict[str, frozenset[str]]) -> frozenset[str]:
    return names.union(*(given[t] for t in names & given.keys()))


def _with_recurring_names(
    group_terms: list[frozenset[str]],
    sentences: list[IndexedSentence],
    names: frozenset[str],
    options: MatchOptions,
) -> list[frozenset[str]]:
    """Each article's headline words plus the names it keeps coming back to (in at least
    `recurring_name` of its sentences): what the article is about, even where a sentence does
    not repeat it."""
    counts: list[dict[str, int]] = [defaultdict(int) for _ in group_terms]
    for s in sentences:
        for t in s.terms & names:
            counts[s.group][t] += 1
    return [
        terms | {t for t, n in counts[g].items() if n >= options.recurring_name}
        for g, terms in enumerate(group_terms)
    ]


def _article_terms(
    sentences: list[IndexedSentence], group_terms: list[frozenset[str]]
) -> list[frozenset[str]]:
    held: list[set[str]] = [set(g) for g in group_terms]
    for s in sentences:
        held[s.group] |= s.terms
    return [frozenset(h) for h in held]


def _neighbours(
    sentences: list[IndexedSentence], articles: list[tuple[int, ...]], reach: int = 3
) -> dict[int, tuple[tuple[int, ...], tuple[int, ...]]]:
    """Up to `reach` sentences before and after each one (nearest first) from the same article
    in the same brief, at most two lines away."""
    out: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = {}
    for ids in articles:
        group = [sentences[sid] for sid in ids]
        for i, s in enumerate(group):
            line = s.item.line
            before = tuple(
                p.id for p in reversed(group[max(0, i - reach) : i]) if line - p.item.line <= 2
            )
            after = tuple(n.id for n in group[i + 1 : i + 1 + reach] if n.item.line - line <= 2)
            out[s.id] = (before, after)
    return out
