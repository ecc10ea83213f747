"""The answering engine: a brief set plus the matching settings -> an `Answer` for any text.

    engine = Engine.load(config)          # BriefError when a brief file is broken
    engine.ask("how many civilians are still in kursk?")
    engine.overview("kursk-fighting")
    engine.find_topics("india russia")    # [("india-russia-ties", 0.93), ...]

Every front end (terminal, --json, Telegram) calls these three methods and renders the
`Answer` it gets back. `ask` never raises: bad input becomes an answer of kind "invalid".
Building an engine is cheap (it runs again on every /reload).
"""

from __future__ import annotations

import gc
import re
import unicodedata

from rapidfuzz import fuzz, utils

from bot import compose
from bot.answer import Answer
from bot.briefs import Brief, BriefSet, Cited
from bot.config import Config, MatchingConfig
from bot.index_cache import load_indexed
from bot.intents import QUOTE_MARKS
from bot.match import (
    NAME_MATCH,
    IndexedSentence,
    MatchIndex,
    MatchOptions,
    Query,
    SentenceMatch,
    TopicMatch,
)

# Longer than any real question; a pasted article is not one.
MAX_QUESTION_CHARS = 500
# A question where more than this share of characters are control or unassigned code points
# is a pasted binary, not text.
MAX_JUNK_SHARE = 0.1
# A follow-up sentence joins the best one only when it is nearly as good.
FOLLOW_UP_MARGIN = 0.15
# A sentence that leans on the one before it.
# Only pronouns: "Then in July, Maduro declared himself the winner" stands on its own.
_CONTINUES = re.compile(
    r"^[\"“‘']?(he|she|they|it|this|that|these|those|his|her|their|its)\b", re.IGNORECASE
)
# ... but the "it" of "It is quite remarkable that India went ahead" stands for nothing.
_DUMMY_IT = re.compile(
    r"^[\"“‘']?it(?: is|'s|’s| was| would be| will be| has been| seems| remains)"
    r"(?: \w+){0,3}? (?:that|to|whether|how|why|if)\b",
    re.IGNORECASE,
)
# A reply sentence of at least this many words that a longer one has nearly word for word in
# it (rapidfuzz's partial_ratio, 0..100, of the two lower-cased) repeats it. Shorter ones are
# too easily found in another.
REPEAT_MIN_WORDS = 6
REPEAT_SIMILARITY = 85
# A question this close to a topic's title or slug (0..1) is a request for that topic's brief.
NAME_IS_TOPIC = NAME_MATCH
# Topics offered with a decline must share at least this much with the question.
SUGGESTION_FLOOR = 0.2


class Engine:
    """Answers questions from one brief set; swap the whole engine to reload."""

    def __init__(
        self,
        briefs: BriefSet,
        options: MatchingConfig,
        match: MatchOptions | None = None,
        *,
        index: MatchIndex | None = None,
    ) -> None:
        self.briefs = briefs
        self.options = options
        self.index = index if index is not None else MatchIndex.build(briefs, match)
        # slug -> its questions that ask more than its overview (`_detail_questions`).
        self._details: dict[str, tuple[str, ...]] = {}

    @classmethod
    def load(cls, config: Config) -> Engine:
        """Load and validate config.briefs, then index it (or read both back from the index
        cache beside the folder, bot.index_cache). Raises BriefError on a bad file.

        The way a process (the CLI, the bot, /reload) gets its engine, so it also settles the
        heap: the index is hundreds of thousands of long-lived objects without reference
        cycles, and the cyclic collector would rescan them (a full pass takes ~130 ms on 200
        BBC briefs, a pause some question would pay). They are collected once and frozen out
        of its reach; refcounting still frees an engine replaced on /reload.
        """
        briefs, index = load_indexed(config.briefs)
        engine = cls(briefs, config.matching, index=index)
        gc.collect()
        gc.freeze()
        return engine

    # -- the three calls every front end makes -------------------------------------------------

    def ask(self, question: str) -> Answer:
        """The reply to one question: an answer, an overview, a question back, or a decline."""
        problem = _invalid_reason(question)
        if problem is not None:
            return compose.invalid(question if isinstance(question, str) else "", problem)
        query = self.index.query(question)
        topics = self.index.rank_topics(query)
        if self._wants_overview(query, topics):
            overview = self._overview_or_decline(question, query, topics)
            # "What's the story with cable TV on demand" may name no topic closely enough and
            # still be answered by what the briefs say of it: the best sentences then.
            if overview.answered or not query.terms:
                return overview
        if not query.terms and "overview" not in query.intents:
            return self._decline(question, topics, 0.0)
        ranked = self.index.rank_sentences(query)
        cutoff = self.options.answer_cutoff
        if not ranked or ranked[0].score < cutoff:
            if "overview" in query.intents:
                return self._overview_or_decline(question, query, topics)
            return self._decline(question, topics, ranked[0].score if ranked else 0.0)
        best = ranked[0]
        rivals = self._rivals(ranked, topics) if _vague(query) else []
        if len(rivals) > 1:
            return self._ambiguous(question, rivals, best.score)
        brief = self.briefs.briefs[best.sentence.slug]
        items = self._reply_sentences(query, ranked)
        return compose.cited_answer(question, brief, [s.item for s in items], confidence=best.score)

    def _reply_sentences(self, query: Query, ranked: list[SentenceMatch]) -> list[IndexedSentence]:
        """The best sentence, what it needs to be understood, then nearly-as-good ones."""
        limit = self.options.max_answer_sentences
        best = ranked[0]
        chosen = [best.sentence]
        before, after = self.index.neighbours.get(best.sentence.id, ((), ()))
        # "He said ..." or "It added ..." means nothing without the sentence before it.
        if before and leans_on_before(best.sentence.item.text):
            chosen.insert(0, self.index.sentences[before[0]])
        else:
            # A quotation that does not say whose it is comes with the one that does.
            source = _attribution(self.index, best.sentence, before, after)
            if source is not None:
                chosen.insert(0 if source.id in before else 1, source)
        # "Kim hailed Putin in a letter." answers "what did Kim say" only with the quote after it;
        # so does "In a speech, Modi announced ..." with the words quoted after it.
        if after and len(chosen) < limit:
            nxt = self.index.sentences[after[0]]
            wants_quote = "quote" in query.intents and (
                not best.sentence.is_quote
                or (
                    not QUOTE_MARKS.search(best.sentence.item.text)
                    and bool(QUOTE_MARKS.search(nxt.item.text))
                )
            )
            # ... and a speaker's words run on into the next sentence ("“'Total peace' was
            # already in a bad spot,” said Kyle Johnson." / "“This is the final nail ...”").
            same_voice = (
                "quote" in query.intents
                and nxt.is_quote
                and not nxt.speaker.isdisjoint(best.sentence.speaker)
            )
            # "Why ...": a cause the best sentence does not give may be in the next one
            # ("GM is recalling 155,465 pickups." / "This is because of possible malfunctions").
            reason_next = (
                "why" in query.intents and not best.sentence.gives_reason and nxt.gives_reason
            )
            if (
                (wants_quote and nxt.is_quote)
                or same_voice
                or reason_next
                or best.sentence.item.text.rstrip().endswith(":")
            ):
                chosen.append(nxt)
        # A neighbour that holds a question word the reply still lacks completes it: "A missile
        # hit Sudzha's school." + "The attack killed at least four people." for "how many died".
        # Words the article's headline or the topic's name already give do not count.
        for nid in (*after, *before):
            if len(chosen) >= limit:
                break
            nb = self.index.sentences[nid]
            held = self.index.group_terms[best.sentence.group].union(*(s.terms for s in chosen))
            if nb not in chosen and any(
                t.alts.isdisjoint(held) and not t.alts.isdisjoint(nb.terms) for t in query.terms
            ):
                chosen.insert(chosen.index(best.sentence) + (nid in after), nb)
        # Then the next best sentences of the same topic, while they are nearly as good (by
        # rank, which includes what the question asks for) and confident enough on their own.
        for m in ranked[1:]:
            if len(chosen) >= limit or m.rank < best.rank - FOLLOW_UP_MARGIN:
                break
            texts = {s.item.text for s in chosen}
            same_article = m.sentence.group == best.sentence.group
            if (
                m.sentence.slug == best.sentence.slug
                and (m.plain if same_article else m.score) >= self.options.answer_cutoff
                and m.sentence.item.text not in texts
            ):
                chosen.append(m.sentence)
        # A brief may hold a sentence twice (as a quote and as a detail): say it once. So with
        # one whose words a fuller one says ("An estimated 2,000 to 3,000 Russian civilians
        # remain." beside "Between the two armies are an estimated 2,000 to 3,000 Russian
        # civilians, who were trapped ..."): the fuller one stays.
        once: dict[str, IndexedSentence] = {}
        for s in chosen:
            once.setdefault(s.item.text, s)
        chosen = [s for s in once.values() if not any(_says(o, s) for o in once.values())]
        chosen = chosen[:limit]
        # Sentences of one article read in the article's order (a neighbour found later may
        # belong before the one it completes); articles keep the order they came in.
        first: dict[int, int] = {}
        for s in chosen:
            first.setdefault(s.group, len(first))
        return sorted(chosen, key=lambda s: (first[s.group], s.item.line, s.order))

    def overview(self, slug: str) -> Answer:
        """The topic's summary as an Answer of kind "overview" (a decline for an unknown slug)."""
        brief = self.briefs.get(slug)
        if brief is None:
            found = self.find_topics(slug)
            return compose.decline(
                slug, [(s, self.briefs.briefs[s].title) for s, _ in found], confidence=0.0
            )
        return compose.cited_answer(
            f"brief me on {brief.title}",
            brief,
            brief.summary,
            kind="overview",
            confidence=1.0,
            next_questions=self._detail_questions(brief),
        )

    def find_topics(self, text: str, limit: int = 3) -> list[tuple[str, float]]:
        """Topics named by `text` (a title, a slug, free words), best first, above the cutoff."""
        if _invalid_reason(text) is not None:
            return []
        query = self.index.query(text)
        cutoff = self.options.answer_cutoff
        order = {slug: i for i, slug in enumerate(self.index.topics)}
        # Someone naming a topic for /brief or /subscribe may type part of its headline, so
        # the fuzzy name counts here in full (ask() trusts only close names).
        scored = sorted(
            ((m.slug, max(m.score, m.name_score)) for m in self.index.rank_topics(query)),
            key=lambda x: (-x[1], order[x[0]]),
        )
        return [(slug, score) for slug, score in scored[: max(limit, 0)] if score >= cutoff]

    # -- decisions ---------------------------------------------------------------------------

    def _wants_overview(self, query: Query, topics: list[TopicMatch]) -> bool:
        """A bare topic name, or "brief me on ..." / "what's going on with ..."."""
        if not topics:
            return False
        top = topics[0]
        # A topic's name alone asks for its brief; "what did <name> say" asks for a quote, and
        # "what does Russia give North Korea" asks more than the name.
        if self.index.names_exactly(top.slug, query.norm):
            return True  # the title as it is, whatever its words ("what they say")
        names = self.index.topics[top.slug].name_terms
        if (
            top.name_score >= NAME_IS_TOPIC
            and not query.intents - {"overview"}
            and all(not t.alts.isdisjoint(names) for t in query.terms if t.known)
        ):
            return True
        return "overview" in query.intents

    def _overview_or_decline(self, question: str, query: Query, topics: list[TopicMatch]) -> Answer:
        cutoff = self.options.answer_cutoff
        fitting = [m for m in topics if m.score >= cutoff]
        if not fitting:
            return self._decline(question, topics, topics[0].score if topics else 0.0)
        top = fitting[0]
        close = [
            m
            for m in fitting
            if top.score - m.score < self.options.ambiguity_margin and top.name_score < 1.0
        ]
        if len(close) > 1:
            return self._ambiguous(question, [m.slug for m in close], top.score)
        brief = self.briefs.briefs[top.slug]
        return compose.cited_answer(
            question,
            brief,
            self._story_lead(query, top) or brief.summary,
            kind="overview",
            confidence=min(1.0, top.score),
            next_questions=self._detail_questions(brief),
        )

    def _story_lead(self, query: Query, top: TopicMatch) -> list[Cited]:
        """The opening sentences of the one story a request picks out of a topic the summary
        does not tell: "what's the latest on Vioxx" in a topic whose summary is of Wal-Mart.
        Empty when the request names the topic itself, or the summary opens with its story (a
        summary merely quoting it once is about another)."""
        if top.name_score >= NAME_IS_TOPIC or self.index.names_exactly(top.slug, query.norm):
            return []
        ranked = self.index.rank_sentences(query, slug=top.slug, limit=1)
        if not ranked:
            return []
        story = ranked[0].sentence
        summary = self.briefs.briefs[top.slug].summary
        if summary and summary[0].source == story.item.source:
            return []
        lead: dict[str, Cited] = {}
        for sid in self.index.articles[story.group]:
            item = self.index.sentences[sid].item
            lead.setdefault(item.text, item)
        return list(lead.values())[: self.options.max_answer_sentences]

    def _detail_questions(self, brief: Brief) -> tuple[str, ...]:
        """The brief's questions but those asking for its overview ("What is happening with
        Kursk and Sudzha?"): no hint after an overview for the same overview again."""
        found = self._details.get(brief.slug)
        if found is None:
            found = self._details[brief.slug] = tuple(
                q for q in brief.questions if not self._asks_overview_of(q, brief.slug)
            )
        return found

    def _asks_overview_of(self, question: str, slug: str) -> bool:
        query = self.index.query(question)
        topics = self.index.rank_topics(query)
        return self._wants_overview(query, topics) and topics[0].slug == slug

    def _rivals(self, ranked: list[SentenceMatch], topics: list[TopicMatch]) -> list[str]:
        """Topics too close to call: best sentences and topic scores both within the margin."""
        margin = self.options.ambiguity_margin
        best = ranked[0]
        topic_score = {m.slug: m.score for m in topics}
        rivals = [best.sentence.slug]
        seen_texts = {best.sentence.item.text}
        for m in ranked[1:]:
            if best.score - m.score >= margin:
                break
            slug = m.sentence.slug
            if slug in rivals or m.sentence.item.text in seen_texts:
                continue
            if abs(topic_score.get(slug, 0.0) - topic_score.get(best.sentence.slug, 0.0)) < margin:
                rivals.append(slug)
                seen_texts.add(m.sentence.item.text)
        return rivals[: self.options.suggestions]

    def _ambiguous(self, question: str, slugs: list[str], confidence: float) -> Answer:
        return compose.ambiguous(
            question,
            [(s, self.briefs.briefs[s].title) for s in slugs[: self.options.suggestions]],
            confidence=confidence,
        )

    def _decline(self, question: str, topics: list[TopicMatch], confidence: float) -> Answer:
        near = [m for m in topics if m.score >= SUGGESTION_FLOOR][: self.options.suggestions]
        return compose.decline(
            question,
            [(m.slug, self.briefs.briefs[m.slug].title) for m in near],
            confidence=min(confidence, self.options.answer_cutoff),
        )


def _vague(query: Query) -> bool:
    """A question about a topic rather than a fact: only these are worth asking "which one?".

    "what did Putin say about Donbas" is answered from the best sentence even when two topics
    hold one; "putin visit" could mean either, so the engine asks.
    """
    specific = query.intents & {"quote", "number", "date", "who", "define"}
    return "overview" in query.intents or (not specific and len(query.terms) <= 2)


def _invalid_reason(question: object) -> str | None:
    """Why `question` cannot be answered as text, or None when it can."""
    if not isinstance(question, str) or not question.strip():
        return "Please type a question in words, or /topics to see what I have briefs on."
    if len(question) > MAX_QUESTION_CHARS:
        return (
            f"That is {len(question):,} characters; please ask in under "
            f"{MAX_QUESTION_CHARS} characters."
        )
    junk = sum(
        1
        for ch in question
        if (unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") and ch not in "\t\n\r")
        or ch == "\ufffd"
    )
    if junk > MAX_JUNK_SHARE * len(question) or not any(ch.isalnum() for ch in question):
        return "That does not look like a question in words; please type it as text."
    return None


def leans_on_before(text: str) -> bool:
    """Whether a sentence means little without the one before it ("He said ...", "Their
    losses ...", "“It is quite remarkable,” said Belousova")."""
    return bool(_CONTINUES.match(text)) and not _DUMMY_IT.match(text)


def _says(fuller: IndexedSentence, s: IndexedSentence) -> bool:
    """Whether `fuller`, another and longer sentence, has `s` nearly word for word in it. Shared
    words are not enough: "Mongolia should have arrested Putin" says more than "Putin is to
    visit Mongolia, an I.C.C. member, which issued a warrant for his arrest"."""
    if fuller is s or len(s.terms) < REPEAT_MIN_WORDS or len(fuller.item.text) <= len(s.item.text):
        return False
    return (
        fuzz.partial_ratio(
            s.item.text,
            fuller.item.text,
            processor=utils.default_process,
            score_cutoff=REPEAT_SIMILARITY,
        )
        > 0
    )


def _attribution(
    index: MatchIndex, s: IndexedSentence, before: tuple[int, ...], after: tuple[int, ...]
) -> IndexedSentence | None:
    """The sentence next to `s` that names the speaker of its words, when `s` does not
    ("“Even so, it breaks our hearts ...”" after "..., Modi told Putin")."""
    if not s.speaker or not s.speaker.isdisjoint(s.terms):
        return None
    for nid in (*before[:1], *after[:1]):
        near = index.sentences[nid]
        if not near.speaker.isdisjoint(s.speaker) and not near.speaker.isdisjoint(near.terms):
            return near
    return None
