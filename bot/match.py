"""Question -> ranked sentences and topics. Pure: no I/O, no Telegram, no config file.

The pipeline, one module a step:
- bot.index builds once per brief set (`MatchIndex.build`, again on every /reload) what the
  scoring reads: sentences with their terms, kinds and speakers, topics, postings, IDF, the
  vocabulary (bot.vocab) and who speaks where (bot.speakers).
- bot.query turns a question into weighted terms, each with the corpus stems that count as it
  (typo correction, aliases, synonyms, derived forms), and its intents (bot.intents).
- This module scores every sentence sharing a term with the question (`rank_sentences`) and
  every topic (`rank_topics`); bot.nearmiss holds the rules that doubt a sentence that shares
  the words but does not answer; bot.engine decides from the scores what to reply.

How a sentence is scored (`rank_sentences`):
1. **Held terms.** The terms the sentence holds. A speaker asked for ("what did X say") is
   held where X speaks, also by a role the briefs give X anywhere ("the Kremlin spokesman"
   for Peskov) or as the description of an unnamed speaker ("a third Russian source"). A
   bound term ("who is the president of France"; the "korea" of "north korea") counts only
   next to its head.
2. **Coverage.** The share of the question's weight the sentence holds. A term missing from
   the sentence but present in its article's headline or its topic's name earns part credit
   (`context_credit`: the sentence is about it even when it does not repeat it), and so does
   one held by the sentence just before or after it or naming the person a sentence opening
   on "she" or "he" is about (`window_credit`; "She said she walked five miles" follows
   sentences about Zoya). A term held only through a general-English synonym earns
   `synonym_credit`. Past `saturation` a long question is sure enough in the words the
   briefs know.
3. **Near misses** (bot.nearmiss, rules 1-6): names or rare words the article never uses, a
   passing mention of the question's key word, a name the sentence's surroundings lack, no
   figure for "how many", amount for "how much did it cost", age for "how old" or date for
   "when" nearby, another speaker, another subject. Each multiplies the confidence by a named
   factor under 1.
4. **Rank.** The confidence orders the sentences, plus small boosts for what the question
   asks (a quotation for "what did X say", a figure for "how many", a date for "when", a
   definition): boosts order, they add no confidence. Among sentences about as good, the one
   holding the question's words closest together ranks first.

A topic's score (`rank_topics`) is the same coverage over everything the topic holds, and a
fuzzy match of the question against the topic's title and slug (for /brief and overview
requests).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot import nearmiss
from bot.index import IndexData, IndexedSentence, IndexedTopic, MatchOptions
from bot.intents import AGE_INTENT, COUNT_INTENT, FUTURE_QUESTION, MONEY_INTENT
from bot.query import Query, Term, analyse
from bot.text import normalize, tokens

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

# A name score (0..1) from which the question is taken to name the topic.
NAME_MATCH = 0.85
# Words apart within which "president ... France" still reads as one phrase ("France's
# president", "the French president", "president of France").
_CLOSE = 3


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


@dataclass(frozen=True, kw_only=True)
class _Asked:
    """What a question asks of every sentence, worked out once per question."""

    quote: bool
    define: bool
    # The sentence kinds wanted, in order: "has_quantity" for "how many" (a year is no
    # answer), "has_number" for another number question, "has_date" for "when".
    figures: tuple[str, ...]
    kinds: int  # how many of quote, number, date, define are asked
    kinds_doubted: int  # how many of quote, number, date (the ones that carry a mismatch)
    # "What did X say": X's terms (only for a quote); "... about Y": the bits of Y's terms.
    speakers: tuple[Term, ...]
    topic_bits: int
    name_bits: int  # the bits of the question's known names
    # "How many X" / "how much X" / "the price of X": the stems that count as X, the words
    # right after "how many" (empty when none follow: "how many died"); `each` for "how many"
    # and "number of" (X counted: next to the figure), not for "how much", "price of" and
    # the like (X measured: in the figure's sentence).
    counted: frozenset[str] = frozenset()
    each: bool = True
    future: bool = False  # a date question on what is still to come
    why: bool = False  # asks for a cause or a purpose


def _asked(query: Query) -> _Asked:
    intents = query.intents
    quote, number, date = "quote" in intents, "number" in intents, "date" in intents
    count = COUNT_INTENT.search(query.norm)
    figures: list[str] = []
    money = bool(MONEY_INTENT.search(query.norm))
    age = bool(AGE_INTENT.search(query.norm))
    if age:
        figures.append("has_age")
    elif money:
        figures.append("has_money")
    elif number:
        figures.append("has_quantity" if count else "has_number")
    if date:
        figures.append("has_date")
    terms = query.terms
    speakers = tuple(t for t in terms if t.speaker) if quote else ()
    topic_bits = 0
    if speakers:
        for i, term in enumerate(terms):
            if term.known and not term.speaker:
                topic_bits |= 1 << i
    name_bits = 0
    for i, term in enumerate(terms):
        if term.name and term.known:
            name_bits |= 1 << i
    define = "define" in intents
    counted: frozenset[str] = frozenset()
    if count and number and not money and not age:
        by_word = {t.word: t for t in terms}
        after = tokens(query.norm[count.end() :])
        while after and after[0] in ("a", "an", "the"):
            after = after[1:]  # "the price of a harley davidson"
        for word in after:
            if word not in by_word:
                break
            counted |= by_word[word].alts
    return _Asked(
        quote=quote,
        define=define,
        figures=tuple(figures),
        kinds=quote + (number or money or age) + date + define,
        kinds_doubted=quote + (number or money or age) + date,
        speakers=speakers,
        topic_bits=topic_bits,
        name_bits=name_bits,
        counted=counted,
        future=date and bool(FUTURE_QUESTION.search(query.norm)),
        why="why" in intents,
        each=count is None or count.group(0) in ("how many", "number of"),
    )


def _mask_weights(terms: tuple[Term, ...]) -> Callable[[int], float]:
    """The weight of a bit mask of terms, cached: the same few masks recur across sentences."""
    weights = [t.weight for t in terms]
    cache: dict[int, float] = {}

    def weight_of(mask: int) -> float:
        w = cache.get(mask)
        if w is None:
            w = cache[mask] = sum(weights[i] for i in range(len(terms)) if mask >> i & 1)
        return w

    return weight_of


def _bits_in(terms: tuple[Term, ...], stems: frozenset[str]) -> int:
    """The bits of the terms `stems` holds."""
    found = 0
    for i, term in enumerate(terms):
        if not term.alts.isdisjoint(stems):
            found |= 1 << i
    return found


def _speaker_bits(terms: tuple[Term, ...], said_by: frozenset[str]) -> int:
    """The speakers asked for who speak here: "she said" after "Lyubov, a mother of four", or
    "Peskov said" for "what did the Kremlin spokesman say"."""
    found = 0
    for i, term in enumerate(terms):
        if term.speaker and not term.alts.isdisjoint(said_by):
            found |= 1 << i
    return found


def _bound_mask(
    s: IndexedSentence, terms: tuple[Term, ...], bound: tuple[tuple[int, int], ...], mask: int
) -> int:
    """`mask` without a bound term the sentence holds away from its head: "France" alone, or
    far from "president", is not the president of France."""
    for head, tail in bound:
        if mask >> tail & 1 and not (mask >> head & 1 and _close(s, terms[head], terms[tail])):
            mask &= ~(1 << tail)
    return mask


def _close(sentence: IndexedSentence, a: Term, b: Term) -> bool:
    """Whether words of `a` and `b` stand within `_CLOSE` words of each other in the sentence."""
    stems = sentence.sequence
    at_a = [i for i, st in enumerate(stems) if st in a.alts]
    at_b = [i for i, st in enumerate(stems) if st in b.alts]
    return any(abs(i - j) <= _CLOSE for i in at_a for j in at_b)


def _names(form: str, topic: IndexedTopic) -> bool:
    return form in (topic.title_norm, topic.slug) or form.replace("-", " ") == topic.slug_words


class MatchIndex(IndexData):
    """The index (bot.index) with the scoring over it: question -> terms, sentences, topics."""

    def query(self, text: str) -> Query:
        """Analyse a question: its weighted terms and what kind of answer it asks for."""
        return analyse(self, text)

    # -- scoring ------------------------------------------------------------------------------

    def rank_sentences(
        self, query: Query, *, slug: str | None = None, limit: int = 40
    ) -> list[SentenceMatch]:
        """The `limit` best sentences sharing at least one term with the question, best first.

        Per sentence: which terms it holds (step 4 of the module docstring), its coverage with
        the credit for context and neighbours, the article's doubts (bot.nearmiss rules 1-3),
        the boosts for what the question asks (rank only), then the sentence's own doubts
        (rules 4-6). Sentences that cannot reach the best sure score are skipped early.
        """
        terms = query.terms
        if not terms:
            return []
        options = self.options
        asked = _asked(query)
        weight_of = _mask_weights(terms)
        # Per sentence, the bits of the terms it holds, holds only through a synonym, and
        # that the sentences next to it (or whom it is about) hold.
        matched = self._term_masks(terms, self.postings, lambda t: t.alts)
        loose = self._term_masks(terms, self.postings, lambda t: t.near)
        nearby = self._term_masks(terms, self.window_postings, lambda t: t.alts)
        total = query.weight
        specificity = min(1.0, total / options.min_specificity)
        credit = options.context_credit
        window_credit = min(options.window_credit, credit)  # keeps the pruning bound
        synonym_credit = options.synonym_credit
        reach = max(credit, synonym_credit)
        boost = options.intent_boost
        # Long questions: past `saturation` of matched weight the answer is sure enough, so
        # the extra words a long question brings do not drown it. Not a word the briefs never
        # use: "why did the opposition candidate flee to Spain" is not sure without Spain.
        unknown = sum(t.weight for t in terms if not t.known)
        base = min(total - unknown, options.saturation) + unknown
        # Prune: a sentence whose best case (every missing term earned as context, every boost)
        # cannot reach the worst case of the best-matching sentence is not scored at all; it
        # keeps big corpora fast.
        max_boost = boost * (asked.kinds + asked.why + 1.25)
        worst_penalty = sum(max(t.weight, options.absent_floor) for t in terms if t.known)
        best_sure = (
            max((weight_of(m) for m in set(matched.values())), default=0.0)
            / (base + worst_penalty)
            * nearmiss.worst_factor(options, asked.kinds_doubted, bool(asked.speakers))
        )
        # "How many X": the sentences with a figure of X, and those next to one.
        counting = (
            nearmiss.figures_of(self, asked.counted, each=asked.each) if asked.counted else None
        )
        # "What did X say": the sentences where X may speak (bot.nearmiss.speaking looks no
        # further than a sentence and the ones right before and after it). Elsewhere the
        # other-speaker doubt is certain, so it lowers the best case too.
        voiced = self._voiced(asked.speakers) if asked.speakers else None
        group_masks: dict[int, int] = {}
        doubts: dict[int, tuple[float, float, float]] = {}
        passing: frozenset[int] | None = None  # computed when first needed
        article_names: dict[int, int] = {}  # article -> bits of the question's names it holds
        scored: list[tuple[float, float, float, int]] = []
        # Locals: this loop runs over every sentence sharing a word with the question.
        sentences = self.sentences
        full = (1 << len(terms)) - 1
        # Every candidate's coverage first (cheap), then the rest of its scoring from the best
        # bound down, stopping once no bound left can enter the `limit` best ranks: exact, since
        # the doubts only lower a score, and most sentences sharing only a common word are
        # never fully scored.
        plan: list[tuple[float, int, int, int, int, float]] = []
        for sid in matched.keys() | loose.keys():
            mask = matched.get(sid, 0)
            s = sentences[sid]
            if slug is not None and s.slug != slug:
                continue
            if asked.speakers and (s.speaker or s.roles):
                mask |= _speaker_bits(terms, s.speaker | s.roles)
            if query.bound:
                mask = _bound_mask(s, terms, query.bound, mask)
            w = weight_of(mask)
            if (w + reach * (total - w)) / base + max_boost < best_sure:
                continue
            # Terms the sentence holds only through a synonym ("film" for "movie").
            synonyms = loose.get(sid, 0) & ~mask
            # Coverage: the weight held, plus part credit for what the article's headline or
            # the topic's name holds, and for what the sentences next to it hold.
            gmask = group_masks.get(s.group)
            if gmask is None:
                gmask = group_masks[s.group] = _bits_in(terms, self.group_terms[s.group])
            missing = ~mask & full
            window = nearby.get(sid, 0) & missing & ~gmask & ~synonyms
            found = (
                w
                + synonym_credit * weight_of(synonyms)
                + credit * weight_of(missing & gmask & ~synonyms)
                + window_credit * weight_of(window)
            )
            # The boosts as they would fall on the undoubted coverage: a bound on the rank,
            # since the doubts only lower it.
            bound = self._boosted(found / base, s, sid, asked, terms, counting)
            if voiced is not None and sid not in voiced:
                bound *= self._unvoiced_factor(s, sid)
            plan.append((bound, sid, mask, gmask, window, found))
        plan.sort(key=lambda p: (-p[0], p[1]))
        kept: list[float] = []  # the `limit` best ranks so far, a min-heap
        for best_case, sid, mask, gmask, window, found in plan:
            if len(kept) >= limit and best_case < kept[0]:
                break
            s = sentences[sid]
            missing = ~mask & full
            # Near-miss rules 1-3 (bot.nearmiss).
            doubt = doubts.get(s.group)
            if doubt is None:
                if passing is None:
                    passing = nearmiss.passing_groups(self, terms)
                doubt = doubts[s.group] = nearmiss.article_doubt(self, terms, s.group, passing)
            penalty, extra, factor = doubt
            unnamed = asked.name_bits & missing & ~gmask & ~window
            if unnamed:
                named = article_names.get(s.group)
                if named is None:
                    named = article_names[s.group] = nearmiss.names_in_article(
                        self, terms, asked.name_bits, s.group
                    )
                if unnamed & named:
                    factor *= options.missing_name_factor
            # Rank on the unclipped coverage (more of the question matched ranks higher even
            # past saturation); the confidence is clipped to 1. `plain` leaves out the extra
            # weight of words the article never uses (bot.engine's follow-up sentences).
            score = found / (base + penalty + extra) * factor
            plain = min(1.0, found / (base + penalty)) * factor
            coverage = min(1.0, found / (base + penalty + extra)) * factor
            score = self._boosted(score, s, sid, asked, terms, counting)
            # Near-miss rules 4-6.
            for kind in asked.figures:
                if kind == "has_quantity" and counting is not None:
                    if sid not in counting[1]:
                        coverage *= options.uncounted_factor
                        plain *= options.uncounted_factor
                elif nearmiss.lacks_nearby(self, sid, kind):
                    # No amount at all for "how much did it cost" (no age for "how old") is
                    # as sure a miss as no figure of X for "how many X".
                    miss = (
                        options.uncounted_factor
                        if kind in ("has_money", "has_age")
                        else options.intent_mismatch
                    )
                    coverage *= miss
                    plain *= miss
            if asked.future and nearmiss.past_only(self, sid):
                score *= options.tense_factor
                coverage *= options.tense_factor
                plain *= options.tense_factor
            speaking = (
                nearmiss.speaking(self, sid, asked.speakers)
                if voiced is not None and sid in voiced
                else ()
            )
            if asked.speakers and not speaking:
                factor = self._unvoiced_factor(s, sid)
                score *= factor
                coverage *= factor
                plain *= factor
            if (
                asked.topic_bits
                and not mask & asked.topic_bits
                and not nearmiss.on_topic(self, sid, terms, asked.topic_bits, speaking)
            ):
                score *= options.off_topic_factor
                coverage *= options.off_topic_factor
                plain *= options.off_topic_factor
            scored.append((score, coverage, plain, sid))
            if len(kept) < limit:
                heapq.heappush(kept, score)
            elif score > kept[0]:
                heapq.heapreplace(kept, score)
        # Rank with the boosts; the coverage alone is the confidence. Ties: brief order.
        top = heapq.nsmallest(limit, scored, key=lambda x: (-x[0], x[3]))
        return [
            SentenceMatch(
                sentence=self.sentences[sid],
                score=min(1.0, coverage) * specificity,
                rank=score,
                plain=plain * specificity,
            )
            for score, coverage, plain, sid in self._closest_first(top, terms)
        ]

    def _voiced(self, speakers: tuple[Term, ...]) -> frozenset[int]:
        """The sentences in or next to which one of `speakers` may speak."""
        named = {
            sid for t in speakers for st in t.alts for sid in self.speaker_postings.get(st, ())
        }
        out = set(named)
        for sid in named:
            before, after = self.neighbours.get(sid, ((), ()))
            out.update(before[:1], after[:1])
        return frozenset(out)

    def _unvoiced_factor(self, s: IndexedSentence, sid: int) -> float:
        """Rule 5's doubt on a sentence where none of the speakers asked for speaks."""
        factor = self.options.other_speaker_factor
        if not s.is_quote and sid not in self.leads_quote:
            factor *= self.options.silent_factor
        return factor

    @staticmethod
    def _term_masks(
        terms: tuple[Term, ...],
        postings: Mapping[str, Sequence[int]],
        stems: Callable[[Term], frozenset[str]],
    ) -> dict[int, int]:
        """Sentence id -> bit mask of the terms whose `stems` the sentence is posted under."""
        found: dict[int, int] = {}
        for i, term in enumerate(terms):
            bit = 1 << i
            for st in stems(term):
                for sid in postings.get(st, ()):
                    found[sid] = found.get(sid, 0) | bit
        return found

    def _boosted(
        self,
        score: float,
        s: IndexedSentence,
        sid: int,
        asked: _Asked,
        terms: tuple[Term, ...],
        counting: tuple[frozenset[int], frozenset[int]] | None,
    ) -> float:
        """The rank: the score with the boosts for what the question asks for (a quotation, a
        figure, a date, a definition; the summary a little) and `intent_mismatch` without."""
        boost = self.options.intent_boost
        mismatch = self.options.intent_mismatch
        if asked.quote and s.is_quote:
            score += boost
            # "what did Hegseth say": his own words first.
            if s.speaker and any(not t.alts.isdisjoint(s.speaker) for t in terms):
                score += boost
        elif asked.quote and sid in self.leads_quote:
            score += boost  # the quotation after it comes with it
        elif asked.quote:
            score *= mismatch
        for kind in asked.figures:
            if kind == "has_quantity" and counting is not None:
                # "how many X": a figure of something else is no figure for it.
                has = sid in counting[0]
            else:
                has = getattr(s, kind)
            score = score + boost if has else score * mismatch
        if asked.define and s.defines:
            score += boost
        if asked.why and s.gives_reason:
            score += boost / 2
        if s.section == "summary":
            score += boost / 4
        return score

    def _closest_first(
        self, top: list[tuple[float, float, float, int]], terms: tuple[Term, ...]
    ) -> list[tuple[float, float, float, int]]:
        """Among sentences about as good, the one holding the question's words close together
        ranks first: "India's top exports to Russia" over "imports from Russia ... and exports
        from India" for "what does india export to russia"."""
        if not top or len(terms) < 2:
            return top
        boost = self.options.intent_boost
        near = top[0][0] - boost
        return sorted(
            (
                (score + boost / 2 * self._proximity(sid, terms), cov, plain, sid)
                if score >= near
                else (score, cov, plain, sid)
                for score, cov, plain, sid in top
            ),
            key=lambda x: (-x[0], x[3]),
        )

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
                if term.near and named < 0.5:
                    loose = self.options.synonym_credit
                    if not term.near.isdisjoint(topic.name_terms):
                        named = 0.5 * loose
                    salient = max(salient, *(loose * topic.salience.get(a, 0.0) for a in term.near))
                got += term.weight * (named + 0.5 * salient)
            coverage = (got / total) * specificity if total else 0.0
            name = names[pos]
            # A fuzzy match with a long headline is noise ("india russia" is in many); only a
            # close one (an exact title scores 1) outranks what the topic is about.
            score = max(coverage, name) if name >= NAME_MATCH else coverage
            out.append(TopicMatch(slug=topic.slug, score=score, name_score=name))
        out.sort(key=lambda m: (-m.score, -m.name_score))  # stable: ties keep index order
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
        # The whole question naming a title exactly beats its stripped form naming another
        # ("aaa say" is that topic, not the topic "aaa").
        for form in (normalize(exact), text):
            named = [i for i, t in enumerate(topics) if form and _names(form, t)]
            for i in named:
                best[i] = 1.0
            if named:
                break
        return best

    def names_exactly(self, slug: str, text: str) -> bool:
        """Whether `text` is the topic's title or slug, as typed in any case."""
        return _names(normalize(text), self.topics[slug])
