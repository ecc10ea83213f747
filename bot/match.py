"""Question -> ranked sentences and topics. Pure: no I/O, no Telegram, no config file.

The index is built once per brief set (`MatchIndex.build`, also on every /reload; the data is
in bot.index, the vocabulary in bot.vocab, question kinds in bot.intents) and every question is
matched against it in well under a millisecond on the seeds' briefs.

How a question is scored, in order:
1. **Terms.** The question's content words (`bot.text.content_tokens`), each corrected against
   the briefs' own vocabulary when the corpus does not know it (rapidfuzz, Damerau-Levenshtein,
   so "waht" -> "what" and "hegseht" -> "hegseth"; never in the first letter, so "iphone"
   stays unknown rather than becoming the common "phone"), then stemmed. An unknown demonym
   is first read as the place the briefs write capitalised ("finnish" -> "Finland-based"). Words split by a phone
   keyboard are glued back when the glued form is a corpus word ("s 400" -> "s400"), and
   initials the briefs never use are spelled out as the name they keep writing ("nk" ->
   "North Korea").
2. **Weights.** Each term weighs its IDF over the briefs' sentences, so "kursk" counts more than
   "russia". A word the corpus never uses weighs as much as the rarest word: a question about
   the weather or a horoscope leans on words no brief contains, and that is what declines it.
3. **Synonyms drawn from the corpus.** Demonyms and country names meet when the corpus has both
   ("russian" ~ "russia", "ukrainian" ~ "ukraine"), a name spelled two ways one letter apart
   is one (Zelensky ~ Zelenskyy), and an abbreviation defined in a brief, "Countering
   America's Adversaries Through Sanctions Act (CAATSA)", stands for its words. British and
   American spellings are one stem ("defence" ~ "defense", "modernising" ~ "modernize"), and
   derived forms of a word the corpus has meet it through a shared root ("invaded" ~
   "invasion", "negotiating" ~ "negotiations", "economy" ~ "economic"; bot.vocab).
4. **Sentence score = weighted coverage**: the share of the question's weight found in the
   sentence; a term missing from the sentence but present in its article's headline or its
   topic's name gets part credit (the sentence is about it even when it does not repeat it),
   and so does one held by the sentence just before or after it, or naming the person a
   sentence opening on "she" or "he" is about (bot.index: "She said she walked five miles"
   follows sentences about Zoya).
   Small boosts for what the question asks: a quote for "what did X say", a number for
   "how many", a date for "when". Two near-miss rules: "what did X say" wants X as the speaker
   (of the sentence or the one next to it), not merely mentioned, and speaking about Y (a word
   of Y in the sentence or the one next to it), where X may be a role the
   briefs give the speaker anywhere ("Dmitri S. Peskov, the spokesman for the Kremlin": "what
   did the Kremlin spokesman say" is asked of Peskov, also where he is only "Mr. Peskov") or
   the description of an unnamed one ("a third Russian source said"); "who is the A of B" holds B
   only where A stands next to it. A name the sentence's article never uses counts twice; any
   other word at least as rare that the article never uses lowers the score too, half as
   much: on a big corpus, "weather in london tomorrow" meets "cold weather in London" by
   chance in an article that never says "tomorrow". A name of the question that the sentence,
   its neighbours and what its article is about (headline, names it keeps repeating) lack,
   though the article names it elsewhere, lowers the confidence too; so does the lack of any
   figure (date) in and next to the sentence for "how many" ("when"). And the question's
   weightiest word written
   only in passing in the article (in one or two sentences that hold nothing else of the
   question, "videos of entertainment news, horoscopes and celebrity gossip") lowers the
   confidence: "my horoscope for this week" is not about that phone review.
   Among sentences about as good, the one holding the question's words closest together
   ranks first (a small boost, in the order only).
5. **Topic score**: the same coverage over everything a topic holds, and a fuzzy match of the
   question against the topic's title and slug (for /brief and overview requests).
"""

from __future__ import annotations

import heapq
import re
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.index import IndexData, IndexedSentence, IndexedTopic, MatchOptions
from bot.intents import (
    ACCORDING_TO,
    COUNT_INTENT,
    DATE_INTENT,
    DEFINE_INTENT,
    HOW,
    MEANING,
    NUMBER_INTENT,
    OVERVIEW,
    QUOTE_INTENT,
    SCAFFOLD,
    SMALL_TALK,
    SPEECH_VERB,
    WHO_INTENT,
)
from bot.text import STOPWORDS, normalize, stem, tokens
from bot.vocab import SYNONYMS, derivation_roots

__all__ = [
    "NAME_MATCH",
    "IndexedSentence",
    "IndexedTopic",
    "MatchIndex",
    "MatchOptions",
    "Query",
    "SentenceMatch",
    "Term",
    "TopicMatch",
]

# Endings of demonyms and adjectives of place ("finnish", "chechen", "pakistani").
_DEMONYM_ENDINGS = ("ians", "ian", "ish", "ese", "ans", "an", "en", "is", "i")
# A word in more sentences than this is common: no passing mention is looked for (it would
# cost a walk over all of them per question).
_COMMON = 400
# Term weights (0..1) this close are equally rare.
_WEIGHT_TIE = 0.05
# A name score (0..1) from which the question is taken to name the topic.
NAME_MATCH = 0.85


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


@dataclass(frozen=True, kw_only=True)
class Query:
    text: str
    norm: str
    terms: tuple[Term, ...]
    intents: frozenset[str]  # "overview", "quote", "number", "date", "who"
    topic_text: str  # the question without overview phrases, for title matching
    # "who is the president of France": (president, France) as term positions. A sentence
    # holds "France" for this question only next to "president" ("France 24 ... President
    # Zelenskyy" and "buying from France and Italy" do not).
    bound: tuple[tuple[int, int], ...] = ()

    @property
    def weight(self) -> float:
        return sum(t.weight for t in self.terms)


@dataclass(frozen=True, kw_only=True)
class SentenceMatch:
    sentence: IndexedSentence
    score: float  # 0..1, the confidence
    rank: float = 0.0  # the score before clipping, boosts included: what orders the list
    # The confidence before the doubt about the whole article (question words it never uses):
    # a sentence following the best one from the same article is judged on this, the doubt
    # being the same for both and already paid by the best.
    plain: float = 0.0


@dataclass(frozen=True, kw_only=True)
class TopicMatch:
    slug: str
    score: float  # 0..1
    name_score: float  # fuzzy match of the question against the title and slug, 0..1


# "the president of france", "the head of the ELN": a role and what it belongs to.
_OF_PHRASE = re.compile(r"\b(\w+) of (?:the )?(\w+)")
# Words apart within which "president ... France" still reads as one phrase ("France's
# president", "the French president", "president of France").
_CLOSE = 3


def _close(sentence: IndexedSentence, a: Term, b: Term) -> bool:
    """Whether words of `a` and `b` stand within `_CLOSE` words of each other in the sentence."""
    stems = sentence.sequence
    at_a = [i for i, st in enumerate(stems) if st in a.alts]
    at_b = [i for i, st in enumerate(stems) if st in b.alts]
    return any(abs(i - j) <= _CLOSE for i in at_a for j in at_b)


class MatchIndex(IndexData):
    """The index (bot.index) with the scoring over it: question -> terms, sentences, topics."""

    def query(self, text: str) -> Query:
        """Analyse a question: its weighted terms and what kind of answer it asks for."""
        norm = normalize(text)
        # Question words mistyped ("hw many", "wen did") still say what kind of answer is
        # wanted: the intents are read from the text with them corrected.
        norm = " ".join(self.vocab.question_word(w) for w in norm.split())
        # "hey quick question, when did ...": the question starts after the small talk.
        norm = SMALL_TALK.sub("", norm)
        intents = set()
        if OVERVIEW.search(norm):
            intents.add("overview")
        said = QUOTE_INTENT.search(norm)
        if said:
            intents.add("quote")
        # Whose words are asked for: the names before "say" ("what did Kushner say about
        # Donbas"), or after "according to".
        verb = SPEECH_VERB.search(norm)
        according = ACCORDING_TO.search(norm)
        speaker_words = set(tokens(norm[: verb.start()])) if verb else set()
        if according:
            speaker_words = set(tokens(norm[according.end() :]))
        if NUMBER_INTENT.search(norm):
            intents.add("number")
        if DATE_INTENT.search(norm):
            intents.add("date")
        if WHO_INTENT.search(norm):
            intents.add("who")
        if DEFINE_INTENT.search(norm) and len(norm.split()) <= 6:
            intents.add("define")
        if MEANING.search(norm):
            intents.add("define")
        words = [
            w
            for w in self._spell_out(
                self.vocab.glue(
                    tokens(ACCORDING_TO.sub(" ", MEANING.sub(" ", HOW.sub(" ", norm)))), self.pairs
                )
            )
            if w not in STOPWORDS and (len(w) > 1 or w.isdigit())
        ]
        terms: list[Term] = []
        seen: set[str] = set()
        for word in words:
            known = self.vocab.knows(word) or stem(word) in self.postings
            fixed = word if known else self._place_of(word) or self.vocab.correct(word)
            if fixed is not None and fixed in STOPWORDS:
                continue  # "waht" was "what"
            if fixed is None:
                key, weight = stem(word), self.options.unknown_weight
            else:
                key = stem(fixed)
                weight = self.idf.get(key, self.options.unknown_weight)
            if key in seen or word in SCAFFOLD:
                continue
            seen.add(key)
            alts = frozenset(
                {key}
                | self.aliases.get(key, frozenset())
                | SYNONYMS.get(key, set())
                | self._derived_forms(key)
            )
            terms.append(
                Term(
                    word=word,
                    key=key,
                    alts=alts,
                    weight=weight,
                    known=fixed is not None,
                    name=key in self.names,
                    speaker=word in speaker_words,
                )
            )
        topic_text = " ".join(w for w in OVERVIEW.sub(" ", norm).split() if w not in STOPWORDS)
        bound: list[tuple[int, int]] = []
        if intents & {"who", "define"}:
            position = {t.word: i for i, t in enumerate(terms)}
            for head, tail in _OF_PHRASE.findall(norm):
                if head in position and tail in position:
                    bound.append((position[head], position[tail]))
        # A two-word name of the briefs asked as such: its second word counts only next to the
        # first ("band aid": not "the band ... Live Aid"; "north korea": not "South Korea").
        for i in range(len(terms) - 1):
            if (terms[i].key, terms[i + 1].key) in self.pairs:
                bound.append((i, i + 1))
        return Query(
            text=text,
            norm=norm,
            terms=tuple(terms),
            intents=frozenset(intents),
            bound=tuple(bound),
            topic_text=topic_text,
        )

    def _spell_out(self, words: list[str]) -> list[str]:
        """Initials the briefs never use, written out as the name they stand for there ("nk
        troops" -> "north korea troops")."""
        out: list[str] = []
        for w in words:
            full = self.initials.get(w) if 2 <= len(w) <= 3 and not self.vocab.knows(w) else None
            out.extend(full or (w,))
        return out

    def _derived_forms(self, key: str) -> frozenset[str]:
        """Corpus stems sharing a derivational root with `key` ("negotiat" ->
        "negotiation")."""
        found: set[str] = set()
        for root in derivation_roots(key):
            found |= self.derived.get(root, frozenset())
            if root in self.postings:
                found.add(root)  # "modernization" -> the briefs' "modernize"
        return frozenset(found)

    def _place_of(self, word: str) -> str | None:
        """The corpus name an unknown demonym refers to: "finnish" -> "finland", "chechen" ->
        "chechnya" (the corpus writes "Finland-based", "Chechnya region"). Its stem without
        the suffix (a doubled last letter undone) begins a word the briefs write capitalised,
        at most four letters longer; the shortest such name wins. Tried before typo
        correction, which would make "finnish" the common "finish"."""
        if len(word) < 5 or not word.isalpha():
            return None
        for suffix in _DEMONYM_ENDINGS:
            base = word[: -len(suffix)]
            if not word.endswith(suffix) or len(base) < 3:
                continue
            if base[-1] == base[-2]:
                base = base[:-1]
            for length in range(len(base), len(base) + 5):
                for cand in self.vocab.by_initial(length, base[0]):
                    if cand.startswith(base) and cand in self.proper:
                        return cand
            return None
        return None

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
        counts = bool(COUNT_INTENT.search(query.norm))  # "how many": a year is no answer
        max_boost = boost * (sum(wants) + 1.25)
        # Prune: a sentence whose best case (every missing term earned as context) cannot reach
        # the best sure score is not scored at all; it keeps big corpora fast.
        # Long questions: past `saturation` of matched weight the answer is sure enough, so
        # the extra words a long question brings do not drown it.
        base = min(total, self.options.saturation)
        worst_penalty = sum(max(t.weight, self.options.absent_floor) for t in terms if t.known)
        speakers = [t for t in terms if t.speaker] if wants[0] else []
        worst_factor = (
            self.options.near_miss_factor
            * self.options.passing_mention_factor
            * mismatch ** sum(wants[:3])
        )
        name_bits = 0
        for i, term in enumerate(terms):
            if term.name and term.known:
                name_bits |= 1 << i
        worst_factor *= self.options.missing_name_factor
        # "What did X say about Y": the bits of Y's words, which the sentence or the one next
        # to it must hold (`off_topic_factor`).
        topic_bits = 0
        if speakers:
            worst_factor *= self.options.other_speaker_factor * self.options.off_topic_factor
            for i, term in enumerate(terms):
                if term.known and not term.speaker:
                    topic_bits |= 1 << i
        best_sure = (
            max((weight_of(m) for m in set(matched.values())), default=0.0)
            / (base + worst_penalty)
            * worst_factor
        )
        group_masks: dict[int, int] = {}
        topic_penalty: dict[int, tuple[float, float, float]] = {}
        passing: frozenset[int] | None = None  # computed when first needed
        article_names: dict[int, int] = {}  # article -> bits of the question's names it holds
        scored: list[tuple[float, float, float, int]] = []
        # Locals: this loop runs over every sentence sharing a word with the question.
        sentences = self.sentences
        window_terms = self.window_terms
        alts = [t.alts for t in terms]
        full = (1 << len(terms)) - 1
        for sid, mask in matched.items():
            s = sentences[sid]
            if speakers and (s.speaker or s.roles):
                # The one asked about speaks here: "she said" after "Lyubov, a mother of four",
                # or "Peskov said" for "what did the Kremlin spokesman say".
                said_by = s.speaker | s.roles
                for i, term in enumerate(terms):
                    if term.speaker and not term.alts.isdisjoint(said_by):
                        mask |= 1 << i
            for head, tail in query.bound:
                # "France" alone, or far from "president", is not the president of France.
                if mask >> tail & 1 and not (
                    mask >> head & 1 and _close(s, terms[head], terms[tail])
                ):
                    mask &= ~(1 << tail)
            w = weight_of(mask)
            if (w + credit * (total - w)) / base + max_boost < best_sure:
                continue
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
                if passing is None:
                    passing = self._passing_groups(terms)
                if s.group in passing:
                    absent = (absent[0], absent[1], absent[2] * self.options.passing_mention_factor)
                topic_penalty[s.group] = absent
            penalty, extra, factor = absent
            missing = ~mask & full
            window = 0
            wanted = missing & ~gmask
            if wanted:
                nearby = window_terms[sid]
                for i, a in enumerate(alts):
                    if wanted >> i & 1 and not a.isdisjoint(nearby):
                        window |= 1 << i
            found = w + credit * weight_of(missing & gmask) + window_credit * weight_of(window)
            # A name the question gives that the sentence, its neighbours and what its article
            # is about all lack, though the article names it elsewhere: the sentence is about
            # something else ("how many Indian students study in Russia" is not answered by
            # "Indian students studying" in the United States, in an article that names Russia).
            unnamed = name_bits & missing & ~gmask & ~window
            if unnamed:
                named = article_names.get(s.group)
                if named is None:
                    held = self.article_terms[s.group]
                    named = 0
                    for i, term in enumerate(terms):
                        if name_bits >> i & 1 and not term.alts.isdisjoint(held):
                            named |= 1 << i
                    article_names[s.group] = named
                if unnamed & named:
                    factor *= self.options.missing_name_factor
            # Rank on the unclipped coverage (more of the question matched ranks higher even
            # past saturation); the confidence is clipped to 1.
            score = found / (base + penalty + extra) * factor
            plain = min(1.0, found / (base + penalty)) * factor
            coverage = min(1.0, found / (base + penalty + extra)) * factor
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
                figure = "has_quantity" if counts else "has_number"
                has_figure = getattr(s, figure)
                score = score + boost if has_figure else score * mismatch
                if not has_figure and not self._near(sid, figure):
                    coverage *= mismatch  # no figure here or next to it: no "how many" answer
                    plain *= mismatch
            if wants[2]:
                score = score + boost if s.has_date else score * mismatch
                if not s.has_date and not self._near(sid, "has_date"):
                    coverage *= mismatch
                    plain *= mismatch
            if wants[3] and s.defines:
                score += boost
            if s.section == "summary":
                score += boost / 4
            # "What did Kushner say about Donbas" is not answered by a sentence that names
            # Kushner while someone else speaks: the person asked about must be the speaker of
            # the sentence or of the one next to it (a quotation continued or introduced).
            if speakers and not self._spoken_by(sid, speakers):
                score *= self.options.other_speaker_factor
                coverage *= self.options.other_speaker_factor
                plain *= self.options.other_speaker_factor
            # X speaking here about something else: "what did the Finnish analyst say about
            # North Korea" is not answered by his words on Sudzha.
            if (
                topic_bits
                and not mask & topic_bits
                and not self._window_mask(sid, terms, topic_bits)
            ):
                score *= self.options.off_topic_factor
                coverage *= self.options.off_topic_factor
                plain *= self.options.off_topic_factor
            scored.append((score, coverage, plain, sid))
        # Rank with the boosts; the coverage alone is the confidence. Ties: brief order.
        top = heapq.nsmallest(limit, scored, key=lambda x: (-x[0], x[3]))
        if top and len(terms) > 1:
            # Among sentences about as good, the one holding the question's words close
            # together ranks first: "India's top exports to Russia" over "imports from Russia
            # ... and exports from India" for "what does india export to russia".
            near = top[0][0] - boost
            top = sorted(
                (
                    (score + boost / 2 * self._proximity(sid, terms), cov, plain, sid)
                    if score >= near
                    else (score, cov, plain, sid)
                    for score, cov, plain, sid in top
                ),
                key=lambda x: (-x[0], x[3]),
            )
        return [
            SentenceMatch(
                sentence=self.sentences[sid],
                score=min(1.0, coverage) * specificity,
                rank=score,
                plain=plain * specificity,
            )
            for score, coverage, plain, sid in top
        ]

    def _proximity(self, sid: int, terms: tuple[Term, ...]) -> float:
        """How close together the question's words stand in the sentence, 0..1: (k - 1) over
        the width of the shortest stretch holding all k of them that it holds (1 when they are
        next to each other; 0 when it holds fewer than two)."""
        sequence = self.sentences[sid].sequence
        spots = sorted(
            (at, i)
            for i, term in enumerate(terms)
            for at, word in enumerate(sequence)
            if word in term.alts
        )
        k = len({i for _, i in spots})
        if k < 2:
            return 0.0
        best = len(sequence)
        count: dict[int, int] = defaultdict(int)
        left = 0
        for at, i in spots:
            count[i] += 1
            while len(count) == k:
                best = min(best, at - spots[left][0])
                j = spots[left][1]
                count[j] -= 1
                if not count[j]:
                    del count[j]
                left += 1
        return (k - 1) / max(best, k - 1)

    def _spoken_by(self, sid: int, speakers: list[Term]) -> bool:
        """Whether one of `speakers` speaks in sentence `sid` or right before or after it."""
        before, after = self.neighbours.get(sid, ((), ()))
        for nid in (sid, *before[:1], *after[:1]):
            near = self.sentences[nid]
            said_by = near.speaker | near.subject | near.roles
            if said_by and any(not t.alts.isdisjoint(said_by) for t in speakers):
                return True
        return False

    def _near(self, sid: int, kind: str) -> bool:
        """Whether the sentence just before or after `sid` has `kind` (has_number, has_date,
        has_quantity)."""
        before, after = self.neighbours.get(sid, ((), ()))
        return any(getattr(self.sentences[n], kind) for n in (*before[:1], *after[:1]))

    def _window_mask(self, sid: int, terms: tuple[Term, ...], candidates: int) -> int:
        """Which of the `candidates` terms the sentences next to `sid` hold, or the one whom
        `sid` is about when it opens on "she" or "he"."""
        found = 0
        nearby = self.window_terms[sid]
        for i, term in enumerate(terms):
            if candidates >> i & 1 and not term.alts.isdisjoint(nearby):
                found |= 1 << i
        return found

    def _absent_penalty(self, terms: tuple[Term, ...], group: int) -> tuple[float, float, float]:
        """Extra weight of the question's known words that the sentence's article never uses:
        (for names, for other words, the factor on both); all lower the rank and the
        confidence.

        A name counts twice (and at least `absent_floor`): "what did Hegseth say about India"
        is not answered from an article on Hegseth that never mentions India, however common
        India is elsewhere in the corpus. Another word at least that rare counts
        `absent_word_share` more: on a big corpus nearly every word is known and "weather in
        london tomorrow" meets "cold weather ... in London's Leicester Square" in an article that
        never says "tomorrow", and "parmalat profit last quarter" meets General Motors' "profits
        fall 37% in the last quarter" in an article that never says Parmalat.
        """
        held = self.article_terms[group]
        floor = self.options.absent_floor
        absent = [t for t in terms if t.known and t.alts.isdisjoint(held)]
        penalty = sum(max(t.weight, floor) for t in absent if t.name)
        share = self.options.absent_word_share
        extra = sum(share * t.weight for t in absent if not t.name and t.weight >= floor)
        factor = self.options.near_miss_factor if any(t.name for t in absent) else 1.0
        return penalty, extra, factor

    def _passing_groups(self, terms: tuple[Term, ...]) -> frozenset[int]:
        """The articles in which the question's weightiest word is only a passing mention:
        written in at most `passing_mentions` of their sentences, none of which holds any other
        word of the question. "my horoscope for this week" is not answered by a phone review
        that lists "videos of entertainment news, horoscopes and celebrity gossip", nor "when is
        Modi visiting Japan" by an article that names Japan once in a list of Quad countries.
        A word the article keeps coming back to is what it is about, however it is asked.
        Words as rare as each other are all what the question is about: each must be passing.
        """
        known = [t for t in terms if t.known]
        if len(known) < 2:
            return frozenset()
        top = max(t.weight for t in known)
        passing: set[int] | None = None
        for key in [t for t in known if t.weight >= top - _WEIGHT_TIE]:
            if sum(len(self.postings.get(alt, ())) for alt in key.alts) > _COMMON:
                return frozenset()  # the rarest word of the question is everywhere
            holding: dict[int, set[int]] = defaultdict(set)  # article -> sentences with key
            for alt in key.alts:
                for sid in self.postings.get(alt, ()):
                    holding[self.sentences[sid].group].add(sid)
            others = [t for t in known if t is not key]
            here = {
                group
                for group, sids in holding.items()
                if len(sids) <= self.options.passing_mentions
                and all(
                    t.alts.isdisjoint(self.sentences[sid].terms) for sid in sids for t in others
                )
            }
            passing = here if passing is None else passing & here
            if not passing:
                return frozenset()
        return frozenset(passing or ())

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
