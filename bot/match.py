"""Question -> ranked sentences and topics. Pure: no I/O, no Telegram, no config file.

The index is built once per brief set (`MatchIndex.build`, also on every /reload) and every
question is matched against it in well under a millisecond on the seeds' briefs.

How a question is scored, in order:
1. **Terms.** The question's content words (`bot.text.content_tokens`), each corrected against
   the briefs' own vocabulary when the corpus does not know it (rapidfuzz, Damerau-Levenshtein,
   so "waht" -> "what" and "hegseht" -> "hegseth"), then stemmed. Words split by a phone
   keyboard are glued back when the glued form is a corpus word ("s 400" -> "s400").
2. **Weights.** Each term weighs its IDF over the briefs' sentences, so "kursk" counts more than
   "russia". A word the corpus never uses weighs as much as the rarest word: a question about
   the weather or a horoscope leans on words no brief contains, and that is what declines it.
3. **Synonyms drawn from the corpus.** Demonyms and country names meet when the corpus has both
   ("russian" ~ "russia", "ukrainian" ~ "ukraine"), and an abbreviation defined in a brief,
   "Countering America's Adversaries Through Sanctions Act (CAATSA)", stands for its words.
4. **Sentence score = weighted coverage**: the share of the question's weight found in the
   sentence; a term missing from the sentence but present in its article's headline or its
   topic's name gets part credit (the sentence is about it even when it does not repeat it).
   Small boosts for what the question asks: a quote for "what did X say", a number for
   "how many", a date for "when".
5. **Topic score**: the same coverage over everything a topic holds, and a fuzzy match of the
   question against the topic's title and slug (for /brief and overview requests).
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from bot.briefs import Brief, BriefSet, Cited, Quote
from bot.text import STOPWORDS, normalize, stem, tokens

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
    # Share of a term's weight earned when it is not in the sentence but in the sentence just
    # before or after it in the same article ("A missile hit Sudzha's school." / "The attack
    # killed at least four people." answers "how many died when the missile hit the school").
    window_credit: float = 0.5
    # A name in the question (a word the briefs write capitalised) that the sentence's article
    # never uses also multiplies the confidence by this: a question about a person or place the
    # article is not about is a near miss, however well the rest of it matches.
    near_miss_factor: float = 0.7
    # Matched weight (in rarest-word units) that is sure enough however long the question is.
    saturation: float = 2.5


@dataclass(frozen=True, kw_only=True)
class Term:
    """One content word of a question."""

    word: str  # as typed, normalised
    key: str  # the stem used for matching (after typo correction)
    alts: frozenset[str]  # stems that count as this term (key plus corpus synonyms)
    weight: float  # 0..1
    known: bool  # False: the briefs never use this word
    name: bool = False  # the briefs write it capitalised: a person, place or organisation


@dataclass(frozen=True, kw_only=True)
class Query:
    text: str
    norm: str
    terms: tuple[Term, ...]
    intents: frozenset[str]  # "overview", "quote", "number", "date", "who"
    topic_text: str  # the question without overview phrases, for title matching

    @property
    def weight(self) -> float:
        return sum(t.weight for t in self.terms)


@dataclass(frozen=True, kw_only=True)
class IndexedSentence:
    id: int
    slug: str
    item: Cited
    section: Section
    order: int  # position in the brief, for stable ties
    terms: frozenset[str]
    has_number: bool
    has_date: bool
    is_quote: bool
    group: int  # article-within-topic group, for context credit
    speaker: frozenset[str] = frozenset()  # stems of a Quote's speaker
    defines: bool = False  # reads like a definition ("X, a Marxist group, ...")


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


@dataclass(frozen=True, kw_only=True)
class SentenceMatch:
    sentence: IndexedSentence
    score: float  # 0..1, the confidence
    rank: float = 0.0  # the score before clipping, boosts included: what orders the list


@dataclass(frozen=True, kw_only=True)
class TopicMatch:
    slug: str
    score: float  # 0..1
    name_score: float  # fuzzy match of the question against the title and slug, 0..1


_DIGIT = re.compile(r"\d")
# Figures in words ("two million", "dozens", "a third"), as `tokens` gives them.
_NUMBER_WORDS = frozenset(
    [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "fifteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "hundred",
        "hundreds",
        "thousand",
        "thousands",
        "million",
        "millions",
        "billion",
        "billions",
        "trillion",
        "dozen",
        "dozens",
        "half",
        "third",
        "quarter",
        "percent",
        "twice",
        "double",
    ]
)
_YEAR_OR_DATE = re.compile(
    r"\b(1[89]\d\d|20\d\d)\b|\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d"
    r"|\b\d{1,2}\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _has_number(text: str, words: list[str]) -> bool:
    """A figure in digits or in words ("two million", "dozens")."""
    return bool(_DIGIT.search(text)) or not _NUMBER_WORDS.isdisjoint(words)


def _has_date(text: str) -> bool:
    """A year, a day of a month, or a weekday: what a "when" question wants to see."""
    if any(day in text for day in _WEEKDAYS):
        return True
    return bool(_DIGIT.search(text)) and bool(_YEAR_OR_DATE.search(text))


_QUOTE_MARKS = re.compile(r"[\"“”]")
# Reported speech answers "what did X say" as well as a quotation does.
_REPORTED = frozenset(
    [
        "said",
        "says",
        "told",
        "added",
        "stated",
        "warned",
        "asserted",
        "argued",
        "claimed",
        "insisted",
        "according",
    ]
)
# Sentences that say what something is: "the ELN, a Marxist group", "X is a ...".
_DEFINES = re.compile(
    r"\b(is|was|are|were) (a|an|the)\b|\b([Kk]nown as|[Bb]orn as|refers to|"
    r"stands for|set up|[Ff]ounded|[Ee]stablished)\b"
)
_ABBREVIATION = re.compile(
    r"((?:[A-Z][\w’'-]+\s+(?:(?:of|for|the|and|on|in)\s+)*){2,})\((?:the\s+)?([A-Z]{2,8})\)"
)
_OVERVIEW = re.compile(
    r"\b(brief me|briefing|brief on|overview|summary|summari[sz]e|sum up|catch me up|"
    r"fill me in|rundown|run down|lowdown|recap|background|big picture|"
    r"what'?s (?:going on|happening|up|the story|the deal|new)|"
    r"what is (?:going on|happening|the story)|tell me about|update me|bring me up to speed|"
    r"anything on|everything on|latest on|news on|updates? on|explain)\b"
)
_QUOTE_INTENT = re.compile(
    r"\b(say|says|said|saying|quote|quoted|told|tell|claim|claimed|comment|comments|"
    r"remark|remarks|statement|stated|according|react|reaction|respond|response|think|thinks|"
    r"view|views|position|stance|warn|warned|called)\b"
)
_NUMBER_INTENT = re.compile(
    r"\b(how many|how much|how long|how big|how large|how far|how old|number|numbers|percent|percentage|cost|costs|worth|price|"
    r"figure|figures|total|toll|amount|count|size|billion|million|estimate|estimated)\b"
)
# "when" opens a date question; inside one ("killed when a missile hit") it does not.
_DATE_INTENT = re.compile(
    r"^(when|since when|until when)\b|\b(what|which) (date|year|day|month|time)\b"
    r"|\b(since|until) when\b|^(on )?what (date|day)\b"
)
# Words that belong to the question's form, not its subject: "how LONG was Fogel held".
_HOW = re.compile(r"\bhow (many|much|long|big|large|far|old|often|soon)\b")
_WHO_INTENT = re.compile(r"\b(who|whom|whose|which leader|which official)\b")
_DEFINE_INTENT = re.compile(r"^(what|who)('s| is| are| was| were) |^(whats|whos) ")
# Words news questions and articles use for the same thing. General English, not drawn from any
# question: a question's word also matches its group's other words.
_SYNONYM_GROUPS = (
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
# A name score (0..1) from which the question is taken to name the topic.
NAME_MATCH = 0.85
_DEMONYM_SUFFIXES = ("ians", "ian", "ans", "an", "ns", "n", "is", "i", "ese", "es", "ean", "ish")
# Derived words that name the doer or the act: "importer" ~ "import", "deployment" ~ "deploy".
_DERIVED_SUFFIXES = ("ers", "er", "ments", "ment")
# Overview phrases and question scaffolding dropped before a question is compared with titles.
_SCAFFOLD = frozenset(
    {"brief", "briefing", "overview", "summary", "summarize", "summarise", "recap"}
)


@dataclass(kw_only=True)
class MatchIndex:
    """Everything the matcher needs from a brief set, computed once."""

    options: MatchOptions
    sentences: list[IndexedSentence]
    topics: dict[str, IndexedTopic]
    postings: dict[str, list[int]]
    idf: dict[str, float]  # stem -> weight 0..1
    aliases: dict[str, frozenset[str]]
    vocab_by_length: dict[int, list[str]]  # surface words, most frequent first
    surface: frozenset[str]
    # Stems the briefs write capitalised inside sentences: names of people, places, bodies.
    names: frozenset[str] = frozenset()
    group_terms: list[frozenset[str]]
    # Every word of an article as the brief holds it (its sentences and headline), by group.
    article_terms: list[frozenset[str]] = field(default_factory=list)
    # sentence id -> (previous, next) sentence of the same article in the same brief, when the
    # brief holds it: a reply that starts "He said" needs the sentence before it.
    neighbours: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = field(default_factory=dict)
    # Sentences followed by a quotation ("In a letter, Kim hailed Putin." / "He said ..."): they
    # answer "what did X say" together with it.
    leads_quote: frozenset[int] = frozenset()
    _typo_cache: dict[str, str | None] = field(default_factory=dict)
    _anagram_map: dict[str, list[str]] | None = None

    def _anagrams(self) -> dict[str, list[str]]:
        """Short corpus words (and question words) by their sorted letters, built on first use."""
        if self._anagram_map is None:
            found: dict[str, list[str]] = {}
            for word in self.vocab_by_length.get(self.options.typo_min_length - 1, ()):
                found.setdefault("".join(sorted(word)), []).append(word)
            self._anagram_map = found
        return self._anagram_map

    # -- building -------------------------------------------------------------------------

    @classmethod
    def build(cls, briefs: BriefSet, options: MatchOptions | None = None) -> MatchIndex:
        options = options or MatchOptions()
        sentences: list[IndexedSentence] = []
        topics: dict[str, IndexedTopic] = {}
        surface_counts: dict[str, int] = defaultdict(int)
        sentence_counts: dict[str, int] = defaultdict(int)  # in sentences only, for names
        group_terms: list[frozenset[str]] = []
        headlines: list[frozenset[str]] = []  # by group: the article's own headline
        topic_counts: dict[str, dict[str, int]] = {}
        abbreviations: dict[str, frozenset[str]] = {}
        for brief in briefs:
            for item in brief.cited():
                if "(" in item.text:
                    abbreviations.update(_abbreviations(item.text))
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
            name_terms = _stems(name_text)
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
                            _stems(f"{headline} {brief.title} {brief.slug.replace('-', ' ')}")
                        )
                    )
                    headlines.append(frozenset(_stems(headline)))
                topic_terms |= terms
                sentences.append(
                    IndexedSentence(
                        id=len(sentences),
                        slug=brief.slug,
                        item=item,
                        section=section,
                        order=order,
                        terms=frozenset(terms),
                        has_number=_has_number(item.text, words),
                        has_date=_has_date(item.text),
                        is_quote=isinstance(item, Quote)
                        or bool(_QUOTE_MARKS.search(item.text))
                        or not _REPORTED.isdisjoint(words),
                        defines=bool(_DEFINES.search(item.text)),
                        group=groups[item.source],
                        speaker=frozenset(_stems(item.speaker))
                        if isinstance(item, Quote)
                        else _speakers(words),
                    )
                )
            for text in (brief.title, *brief.keywords, *brief.people, *brief.places):
                for w in tokens(text):
                    surface_counts[w] += 1
            first = len(sentences) - sum(1 for s in reversed(sentences) if s.slug == brief.slug)
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
        neighbours = _neighbours(sentences)
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
        for s in sentences:
            for t in s.terms:
                postings[t].append(s.id)
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
        return cls(
            options=options,
            sentences=sentences,
            topics=topics,
            postings=dict(postings),
            idf=idf,
            aliases=_demonym_aliases(set(postings)),
            neighbours=neighbours,
            leads_quote=frozenset(
                sid
                for sid, (_, after) in neighbours.items()
                if after and sentences[after[0]].is_quote and not sentences[sid].is_quote
            ),
            vocab_by_length=dict(vocab_by_length),
            surface=frozenset(surface_counts),
            names=_names((s.item.text for s in sentences), sentence_counts),
            group_terms=group_terms,
            article_terms=_article_terms(sentences, headlines),
        )

    # -- questions --------------------------------------------------------------------------

    def query(self, text: str) -> Query:
        """Analyse a question: its weighted terms and what kind of answer it asks for."""
        norm = normalize(text)
        # Question words mistyped ("hw many", "wen did") still say what kind of answer is
        # wanted: the intents are read from the text with them corrected.
        norm = " ".join(self._question_word(w) for w in norm.split())
        intents = set()
        if _OVERVIEW.search(norm):
            intents.add("overview")
        if _QUOTE_INTENT.search(norm):
            intents.add("quote")
        if _NUMBER_INTENT.search(norm):
            intents.add("number")
        if _DATE_INTENT.search(norm):
            intents.add("date")
        if _WHO_INTENT.search(norm):
            intents.add("who")
        if _DEFINE_INTENT.search(norm) and len(norm.split()) <= 6:
            intents.add("define")
        words = [
            w
            for w in self._glue(tokens(_HOW.sub(" ", norm)))
            if w not in STOPWORDS and (len(w) > 1 or w.isdigit())
        ]
        terms: list[Term] = []
        seen: set[str] = set()
        for word in words:
            known = word in self.surface or stem(word) in self.postings
            fixed = word if known else self._correct(word)
            if fixed is not None and fixed in STOPWORDS:
                continue  # "waht" was "what"
            if fixed is None:
                key, weight = stem(word), self.options.unknown_weight
            else:
                key = stem(fixed)
                weight = self.idf.get(key, self.options.unknown_weight)
            if key in seen or word in _SCAFFOLD:
                continue
            seen.add(key)
            alts = frozenset({key} | self.aliases.get(key, frozenset()) | _SYNONYMS.get(key, set()))
            terms.append(
                Term(
                    word=word,
                    key=key,
                    alts=alts,
                    weight=weight,
                    known=fixed is not None,
                    name=key in self.names,
                )
            )
        topic_text = " ".join(w for w in _OVERVIEW.sub(" ", norm).split() if w not in STOPWORDS)
        return Query(
            text=text,
            norm=norm,
            terms=tuple(terms),
            intents=frozenset(intents),
            topic_text=topic_text,
        )

    def _question_word(self, word: str) -> str:
        """`word`, or the question word it is a typo of ("hw" -> "how")."""
        if word in self.surface or word in STOPWORDS or not word.isalpha() or len(word) > 4:
            return word
        fixed = self._correct(word)
        return fixed if fixed is not None and fixed in STOPWORDS else word

    def _glue(self, words: list[str]) -> list[str]:
        """Join neighbours the phone split ("s 400" -> "s400") when the corpus knows the join."""
        out: list[str] = []
        i = 0
        while i < len(words):
            if i + 1 < len(words) and (words[i] + words[i + 1]) in self.surface:
                out.append(words[i] + words[i + 1])
                i += 2
            else:
                out.append(words[i])
                i += 1
        return out

    def _correct(self, word: str) -> str | None:
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
            edits = 2 if len(word) >= self.options.typo_two_edits else 1
            # normalized_similarity = 1 - edits / longer length: half an edit of slack keeps
            # float rounding from turning away a word exactly `edits` away.
            cutoff = 1 - (edits + 0.5) / (len(word) + 1)
            short = len(word) < self.options.typo_min_length
            best: tuple[str, float] | None = None
            # A 4-letter word is only corrected by a swap of two letters ("waht" -> "what") or
            # one missing letter ("nort" -> "north"): "rain" must not become "ain" or "rail".
            lengths = (
                (len(word), len(word) + 1) if short else (len(word), len(word) - 1, len(word) + 1)
            )
            for length in lengths:
                choices = self.vocab_by_length.get(length)
                if short and length == len(word):
                    choices = self._anagrams().get("".join(sorted(word)))
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
        if len(self._typo_cache) < 10_000:
            self._typo_cache[word] = found
        return found

    # -- scoring ------------------------------------------------------------------------------

    def rank_sentences(
        self, query: Query, *, slug: str | None = None, limit: int = 40
    ) -> list[SentenceMatch]:
        """The `limit` best sentences sharing at least one term with the question, best first."""
        terms = query.terms
        if not terms:
            return []
        total = query.weight
        specificity = min(1.0, total / self.options.min_specificity)
        matched: dict[int, int] = {}  # sentence id -> bit mask of the terms it holds
        for i, term in enumerate(terms):
            bit = 1 << i
            for alt in term.alts:
                for sid in self.postings.get(alt, ()):
                    matched[sid] = matched.get(sid, 0) | bit
        weights = [t.weight for t in terms]
        mask_weight: dict[int, float] = {}

        def weight_of(mask: int) -> float:
            w = mask_weight.get(mask)
            if w is None:
                w = sum(weights[i] for i in range(len(terms)) if mask >> i & 1)
                mask_weight[mask] = w
            return w

        credit = self.options.context_credit
        window_credit = min(self.options.window_credit, credit)  # keeps the pruning bound
        boost = self.options.intent_boost
        wants = (
            "quote" in query.intents,
            "number" in query.intents,
            "date" in query.intents,
            "define" in query.intents,
        )
        mismatch = self.options.intent_mismatch
        max_boost = boost * (sum(wants) + 1.25)
        # Prune: a sentence whose best case (every missing term earned as context) cannot reach
        # the best sure score is not scored at all; it keeps big corpora fast.
        # Long questions: past `saturation` of matched weight the answer is sure enough, so
        # the extra words a long question brings do not drown it.
        base = min(total, self.options.saturation)
        worst_penalty = sum(max(t.weight, self.options.absent_floor) for t in terms if t.known)
        worst_factor = self.options.near_miss_factor * mismatch ** sum(wants[:3])
        best_sure = (
            max((weight_of(m) for m in set(matched.values())), default=0.0)
            / (base + worst_penalty)
            * worst_factor
        )
        group_masks: dict[int, int] = {}
        topic_penalty: dict[int, tuple[float, float]] = {}
        scored: list[tuple[float, float, int]] = []
        for sid, mask in matched.items():
            w = weight_of(mask)
            if (w + credit * (total - w)) / base + max_boost < best_sure:
                continue
            s = self.sentences[sid]
            if slug is not None and s.slug != slug:
                continue
            gmask = group_masks.get(s.group)
            if gmask is None:
                gterms = self.group_terms[s.group]
                gmask = 0
                for i, term in enumerate(terms):
                    if not term.alts.isdisjoint(gterms):
                        gmask |= 1 << i
                group_masks[s.group] = gmask
            absent = topic_penalty.get(s.group)
            if absent is None:
                absent = self._absent_penalty(terms, s.group)
                topic_penalty[s.group] = absent
            penalty, factor = absent
            missing = ~mask & ((1 << len(terms)) - 1)
            window = 0
            if missing & ~gmask:
                window = self._window_mask(s.id, terms, missing & ~gmask)
            coverage = (
                w + credit * weight_of(missing & gmask) + window_credit * weight_of(window)
            ) / (base + penalty)
            # Rank on the unclipped coverage (more of the question matched ranks higher even
            # past saturation); the confidence is clipped to 1.
            score = coverage * factor
            coverage = min(1.0, coverage) * factor
            if wants[0] and s.is_quote:
                score += boost
                # "what did Hegseth say": his own words first.
                if s.speaker and any(not t.alts.isdisjoint(s.speaker) for t in terms):
                    score += boost
            elif wants[0] and sid in self.leads_quote:
                score += boost  # the quotation after it comes with it
            elif wants[0]:
                score *= mismatch
            # A "how many" question is not answered by a sentence without a number.
            if wants[1]:
                score = score + boost if s.has_number else score * mismatch
            if wants[2]:
                score = score + boost if s.has_date else score * mismatch
            if wants[3] and s.defines:
                score += boost
            if s.section == "summary":
                score += boost / 4
            scored.append((score, coverage, sid))
        # Rank with the boosts; the coverage alone is the confidence. Ties: brief order.
        top = heapq.nsmallest(limit, scored, key=lambda x: (-x[0], x[2]))
        return [
            SentenceMatch(
                sentence=self.sentences[sid], score=min(1.0, coverage) * specificity, rank=score
            )
            for score, coverage, sid in top
        ]

    def _window_mask(self, sid: int, terms: tuple[Term, ...], candidates: int) -> int:
        """Which of the `candidates` terms the sentences next to `sid` hold."""
        found = 0
        before, after = self.neighbours.get(sid, ((), ()))
        for nid in (*before[:1], *after[:1]):
            nterms = self.sentences[nid].terms
            for i, term in enumerate(terms):
                if candidates >> i & 1 and not term.alts.isdisjoint(nterms):
                    found |= 1 << i
        return found

    def _absent_penalty(self, terms: tuple[Term, ...], group: int) -> tuple[float, float]:
        """Extra weight of the question's known words that the sentence's article never uses.

        Such a word counts twice (and at least `absent_floor`): "what did Hegseth say about
        India" is not answered from an article on Hegseth that never mentions India, however
        common India is elsewhere in the corpus.
        """
        held = self.article_terms[group]
        floor = self.options.absent_floor
        absent = [t for t in terms if t.known and t.alts.isdisjoint(held)]
        penalty = sum(max(t.weight, floor) for t in absent if t.name)
        factor = self.options.near_miss_factor if any(t.name for t in absent) else 1.0
        return penalty, factor

    def rank_topics(self, query: Query) -> list[TopicMatch]:
        """Every topic with its score for the question, best first (ties: index order)."""
        total = query.weight
        specificity = min(1.0, total / self.options.min_specificity) if total else 0.0
        names = self.name_scores(query.topic_text or query.norm, exact=query.norm)
        out: list[TopicMatch] = []
        for pos, topic in enumerate(self.topics.values()):
            got = 0.0
            for term in query.terms:
                # Half for being in the topic's name, half for how much the topic is about it.
                named = 0.5 if not term.alts.isdisjoint(topic.name_terms) else 0.0
                salient = max((topic.salience.get(a, 0.0) for a in term.alts), default=0.0)
                got += term.weight * (named + 0.5 * salient)
            coverage = (got / total) * specificity if total else 0.0
            name = names[pos]
            # A fuzzy match with a long headline is noise ("india russia" is in many); only a
            # close one (an exact title scores 1) outranks what the topic is about.
            score = max(coverage, name) if name >= NAME_MATCH else coverage
            out.append(TopicMatch(slug=topic.slug, score=score, name_score=name))
        order = {slug: i for i, slug in enumerate(self.topics)}
        out.sort(key=lambda m: (-m.score, -m.name_score, order[m.slug]))
        return out

    def name_scores(self, text: str, *, exact: str = "") -> list[float]:
        """How well `text` names each topic (0..1, index order): only an exact title or slug
        scores 1; a close one less (rapidfuzz over all titles and slugs at once). `exact` is
        another form of the text (the whole question) that also counts when it is a title."""
        text = normalize(text)
        topics = list(self.topics.values())
        best = [0.0] * len(topics)
        for choices in ([t.title_norm for t in topics], [t.slug_words for t in topics]):
            if not text:
                break
            for scorer, factor in (
                (fuzz.ratio, 1.0),
                (fuzz.token_sort_ratio, 1.0),
                (fuzz.token_set_ratio, 0.9),
            ):
                for _, score, i in process.extract(
                    text, choices, scorer=scorer, processor=None, score_cutoff=0, limit=None
                ):
                    best[i] = max(best[i], score / 100 * factor * 0.98)
        forms = {text, normalize(exact)} - {""}
        for i, t in enumerate(topics):
            for form in forms:
                if form in (t.title_norm, t.slug) or form.replace("-", " ") == t.slug_words:
                    best[i] = 1.0
        return best


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


def _stems(text: str) -> set[str]:
    return {stem(w) for w in tokens(text) if w not in STOPWORDS}


def _abbreviations(text: str) -> dict[str, frozenset[str]]:
    """Abbreviations a sentence defines: "Sanctions Act (CAATSA)" -> {"caatsa": {...words}}."""
    out: dict[str, frozenset[str]] = {}
    for m in _ABBREVIATION.finditer(text):
        abbr = m.group(2)
        words = re.findall(r"[A-Z][\w’'-]+", m.group(1))
        # The phrase is the run of capitalised words right before the bracket whose initials
        # spell the abbreviation.
        for k in range(len(words), 1, -1):
            phrase = words[-k:]
            if "".join(w[0] for w in phrase) == abbr:
                out[abbr.lower()] = frozenset(_stems(" ".join(phrase)))
                break
    return out


_CAPITAL_WORD = re.compile(r"\b[A-Z][a-z]+\b")
_QUOTE_OPENER = re.compile(r"[“\"‘]([A-Z][a-z]+)\b")


def _names(texts: Iterable[str], counts: dict[str, int]) -> frozenset[str]:
    """Stems written capitalised inside sentences at least four times in five: names.

    `counts` holds every word's occurrences (lowercased); the first word of a sentence or a
    quotation is not counted as capitalised, since it says nothing.
    """
    upper: dict[str, int] = defaultdict(int)
    for text in texts:
        for word in _CAPITAL_WORD.findall(text, 1):
            upper[word.lower()] += 1
        for word in _QUOTE_OPENER.findall(text):
            upper[word.lower()] -= 1
    return frozenset(
        stem(w)
        for w, n in upper.items()
        if n >= 2 and n >= 0.8 * counts.get(w, n) and w not in STOPWORDS
    )


def _speakers(words: list[str]) -> frozenset[str]:
    """Who a sentence reports speaking: the words next to "said", "told"... ("Trump said",
    "said Belousova", "Mr. Peskov added"). Stems, stopwords left out."""
    found: set[str] = set()
    for i, word in enumerate(words):
        if word in _REPORTED:
            for near in (*words[max(0, i - 3) : i], *words[i + 1 : i + 3]):
                if near not in STOPWORDS and not near.isdigit():
                    found.add(stem(near))
    return frozenset(found)


def _article_terms(
    sentences: list[IndexedSentence], group_terms: list[frozenset[str]]
) -> list[frozenset[str]]:
    held: list[set[str]] = [set(g) for g in group_terms]
    for s in sentences:
        held[s.group] |= s.terms
    return [frozenset(h) for h in held]


def _synonyms() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for group in _SYNONYM_GROUPS:
        stems = {stem(w) for w in group.split()}
        for st in stems:
            out.setdefault(st, set()).update(stems)
    return out


_SYNONYMS = _synonyms()


def _neighbours(
    sentences: list[IndexedSentence], reach: int = 3
) -> dict[int, tuple[tuple[int, ...], tuple[int, ...]]]:
    """Up to `reach` sentences before and after each one (nearest first) from the same article
    in the same brief, at most two lines away."""
    by_article: dict[tuple[str, str], list[IndexedSentence]] = defaultdict(list)
    for s in sentences:
        by_article[(s.slug, s.item.source)].append(s)
    out: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = {}
    for group in by_article.values():
        group.sort(key=lambda s: (s.item.line, s.order))
        for i, s in enumerate(group):
            line = s.item.line
            before = tuple(
                p.id for p in reversed(group[max(0, i - reach) : i]) if line - p.item.line <= 2
            )
            after = tuple(n.id for n in group[i + 1 : i + 1 + reach] if n.item.line - line <= 2)
            out[s.id] = (before, after)
    return out


def _demonym_aliases(stems: set[str]) -> dict[str, frozenset[str]]:
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
