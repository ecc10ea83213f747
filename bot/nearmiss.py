"""Near misses: a sentence that shares the question's words and still does not answer it.

Each rule below multiplies a sentence's confidence (and, except rule 4, its rank) by a factor
under 1, one of the named settings in `bot.index.MatchOptions`. No rule drops a sentence: one
that fails a rule can still be the best there is, but rarely passes `answer_cutoff`
(config.yaml) after it, so the engine declines and offers the nearest topics instead. The
factors were tuned on the tuned part of tests/data/questions.yaml; the reasons are the
examples.

1. Absent name (`near_miss_factor`, 0.7): a name of the question that the sentence's article
   never uses; the name's weight also counts twice in what the question asks
   (`absent_floor`), and any other word at least as rare that the article never uses adds
   `absent_word_share` of its weight. "what did Hegseth say about India" is not answered from
   an article on Hegseth that never mentions India; "weather in london tomorrow" not by "cold
   weather in London" in an article that never says tomorrow.
2. Passing mention (`passing_mention_factor`, 0.7): the question's weightiest word is written in
   at most `passing_mentions` sentences of the article, none holding any other word of the
   question. "my horoscope for this week" is not about a phone review listing "horoscopes".
3. Missing name (`missing_name_factor`, 0.7): a name of the question that the sentence, its
   neighbours and what its article is about (headline, names it repeats) all lack, though the
   article names it elsewhere. "how many Indian students study in Russia" is not answered by
   "Indian students studying" in the United States.
4. No figure, no date (`intent_mismatch`, 0.7): "how many" with no figure (a year is none),
   "when" with no date, in the sentence or next to it. "How many X" / "how much X" want a
   figure of X (`uncounted_factor`, 0.5: on its own, no sentence passes the default cutoff
   without one): X within a few words of the figure in its clause ("how many"), or in the
   figure's sentence ("how much"), in the sentence or next to it. "How many nuclear weapons
   does North Korea have" is not answered by "the nuclear-armed North" next to "more than
   10,000 troops". "How much did it cost / pay / is it worth" wants an amount of money (or a
   share of one) in or next to the sentence (`uncounted_factor`): "six new reactors" is no
   price for them; "how old is X" wants an age ("aged 44"), not "a two-day visit". (The rank
   pays `intent_mismatch` for the sentence alone, in bot.match.)
   A question on what is still to come ("when will X", "when is X visiting", "the next
   summit") wants a sentence that tells of the future (`tense_factor`, 0.6): "the 2019 BRICS Summit in Brazil" does not date the next one.
5. Another speaker (`other_speaker_factor`, 0.6): "what did X say" where X speaks neither in the
   sentence nor in the one next to it; X merely mentioned while someone else speaks, or the
   subject of a sentence that reports no speech ("Rajnath Singh had discussed the S-400"), or
   someone sharing a name with X who has another ("said Bruce Snyder" for Bruce Davis).
   Where nobody speaks at all, neither in the sentence nor in the one after it, the doubt is
   greater (`silent_factor`, 0.75 more): "Cabello had just paid a visit to the border" tells
   what he did, not what he said.
6. Off topic (`off_topic_factor`, 0.6): "what did X say about Y" where neither the sentence nor
   its neighbours hold a word of Y (the Finnish analyst on Sudzha is no answer about North
   Korea), or where X speaks only in the sentence next to it and neither holds Y.

Rules 1 and 2 depend on the article only and are worked out once per article and question.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.index import IndexData, MatchOptions

if TYPE_CHECKING:
    from bot.query import Term

# A word in more sentences than this is common: no passing mention is looked for (it would
# cost a walk over all of them per question).
COMMON = 400
# Term weights (0..1) this close are equally rare.
WEIGHT_TIE = 0.05


def worst_factor(options: MatchOptions, intents: int, speakers: bool) -> float:
    """The lowest product of factors a sentence can get: the pruning bound in bot.match.
    `intents`: how many of quote/number/date the question asks for."""
    factor = (
        options.near_miss_factor
        * options.passing_mention_factor
        * min(options.intent_mismatch, options.uncounted_factor) ** intents
        * options.tense_factor
    )
    factor *= options.missing_name_factor
    if speakers:
        factor *= options.other_speaker_factor * options.silent_factor * options.off_topic_factor
    return factor


def article_doubt(
    index: IndexData, terms: Sequence[Term], group: int, passing: frozenset[int]
) -> tuple[float, float, float]:
    """Rules 1 and 2 for one article: (extra weight for absent names, for absent other words,
    the factor on the confidence)."""
    penalty, extra, factor = absent_words(index, terms, group)
    if group in passing:
        factor *= index.options.passing_mention_factor
    return penalty, extra, factor


def absent_words(index: IndexData, terms: Sequence[Term], group: int) -> tuple[float, float, float]:
    """Rule 1: extra weight of the question's known words that the article never uses (for
    names, for other words) and the factor on the confidence.

    A name counts twice (and at least `absent_floor`), however common it is elsewhere in the
    corpus. Another word at least that rare counts `absent_word_share` more: on a big corpus
    nearly every word is known, and "parmalat profit last quarter" meets General Motors'
    "profits fall 37% in the last quarter" in an article that never says Parmalat.
    """
    held = index.article_terms[group]
    options = index.options
    floor = options.absent_floor
    absent = [t for t in terms if t.known and t.alts.isdisjoint(held)]
    penalty = sum(max(t.weight, floor) for t in absent if t.name)
    share = options.absent_word_share
    extra = sum(share * t.weight for t in absent if not t.name and t.weight >= floor)
    factor = options.near_miss_factor if any(t.name for t in absent) else 1.0
    return penalty, extra, factor


def passing_groups(index: IndexData, terms: Sequence[Term]) -> frozenset[int]:
    """Rule 2: the articles in which the question's weightiest word is only a passing mention:
    written in at most `passing_mentions` of their sentences, none of which holds any other word
    of the question ("when is Modi visiting Japan" is not answered by an article that names
    Japan once in a list of Quad countries). A word the article keeps coming back to is what it
    is about, however it is asked. Words as rare as each other are all what the question is
    about: each must be passing.
    """
    known = [t for t in terms if t.known]
    if len(known) < 2:
        return frozenset()
    top = max(t.weight for t in known)
    passing: set[int] | None = None
    for key in [t for t in known if t.weight >= top - WEIGHT_TIE]:
        if sum(len(index.postings.get(alt, ())) for alt in key.alts) > COMMON:
            return frozenset()  # the rarest word of the question is everywhere
        holding: dict[int, set[int]] = defaultdict(set)  # article -> sentences with key
        for alt in key.alts:
            for sid in index.postings.get(alt, ()):
                holding[index.sentences[sid].group].add(sid)
        others = [t for t in known if t is not key]
        here = {
            group
            for group, sids in holding.items()
            if len(sids) <= index.options.passing_mentions
            and all(t.alts.isdisjoint(index.sentences[sid].terms) for sid in sids for t in others)
        }
        passing = here if passing is None else passing & here
        if not passing:
            return frozenset()
    return frozenset(passing or ())


def names_in_article(index: IndexData, terms: Sequence[Term], names: int, group: int) -> int:
    """Rule 3: which of the `names` (term bits) the article uses anywhere."""
    held = index.article_terms[group]
    found = 0
    for i, term in enumerate(terms):
        if names >> i & 1 and not term.alts.isdisjoint(held):
            found |= 1 << i
    return found


def lacks_nearby(index: IndexData, sid: int, kind: str) -> bool:
    """Rule 4: neither sentence `sid` nor the one just before or after it has `kind`
    (has_number, has_quantity, has_date)."""
    if getattr(index.sentences[sid], kind):
        return False
    before, after = index.neighbours.get(sid, ((), ()))
    return not any(getattr(index.sentences[n], kind) for n in (*before[:1], *after[:1]))


def figures_of(
    index: IndexData, counted: frozenset[str], *, each: bool
) -> tuple[frozenset[int], frozenset[int]]:
    """Rule 4 for "how many X" and "how much X" (`counted`: the stems of X): the sentences with
    a figure of X (X within a few words of a figure for "how many", `each`; X in a sentence
    with a figure for "how much"), and those with their neighbours. A sentence outside the
    second set has no figure of X in or next to it."""
    found: set[int] = set()
    for alt in counted:
        if each:
            found.update(index.counted_postings.get(alt, ()))
        else:
            found.update(
                sid for sid in index.postings.get(alt, ()) if index.sentences[sid].has_number
            )
    near = set(found)
    for sid in found:
        before, after = index.neighbours.get(sid, ((), ()))
        near.update(before[:1])
        near.update(after[:1])
    return frozenset(found), frozenset(near)


def past_only(index: IndexData, sid: int) -> bool:
    """Rule 4 for "when will": sentence `sid` tells of nothing still to come. (Its neighbours
    do not count: "will" is in most news paragraphs.)"""
    return not index.sentences[sid].future


def speaking(index: IndexData, sid: int, speakers: Sequence[Term]) -> tuple[int, ...]:
    """Rule 5: the sentences among `sid` and the ones right before and after it (a quotation
    continued or introduced) in which one of `speakers` speaks."""
    before, after = index.neighbours.get(sid, ((), ()))
    found = []
    for nid in (sid, *before[:1], *after[:1]):
        near = index.sentences[nid]
        # The subject of a sentence that reports no speech did something, not say it
        # ("Cabello had just paid a visit to the border").
        speaks = near.is_quote or nid in index.leads_quote
        # ... nor does the subject of someone else's words ("According to Ladbrokes, John
        # McCririck was 1/3 favourite").
        named = near.speaker or (near.subject if speaks else frozenset())
        said_by = named | near.roles
        if not said_by or all(t.alts.isdisjoint(said_by) for t in speakers):
            continue
        if not _another_person(index, named, said_by, speakers):
            found.append(nid)
    return tuple(found)


def _another_person(
    index: IndexData, named: frozenset[str], said_by: frozenset[str], speakers: Sequence[Term]
) -> bool:
    """Rule 5: "Bruce Snyder" is not "Bruce Davis": they share a name, and each has one the
    other lacks. (Worked out only where a name of the question is named: this runs for every
    candidate sentence.)"""
    if all(not t.name or t.alts.isdisjoint(named) for t in speakers):
        return False
    asked = frozenset().union(*(t.alts for t in speakers))
    return bool((named - asked) & index.names) and any(
        t.known and t.alts.isdisjoint(said_by) for t in speakers
    )


def on_topic(
    index: IndexData, sid: int, terms: Sequence[Term], topic: int, spoken: tuple[int, ...]
) -> bool:
    """Rule 6: whether X's words in or next to sentence `sid` (`spoken`, from `speaking`) are
    about Y (`topic`, term bits) when `sid` itself lacks Y. Where X speaks in `sid`, Y may be
    in a sentence next to it; where X speaks only next to it, Y must be in that sentence: "A
    court ordered the arrest of Navalnaya." between a sentence on Modi and "Navalnaya ... was
    accused" is not her word on Modi."""
    if not spoken or sid in spoken:
        return bool(window_mask(index, sid, terms, topic))
    return any(
        topic >> i & 1 and not term.alts.isdisjoint(index.sentences[n].terms)
        for n in spoken
        for i, term in enumerate(terms)
    )


def window_mask(index: IndexData, sid: int, terms: Sequence[Term], candidates: int) -> int:
    """Rule 6: which of the `candidates` terms the sentences next to `sid` hold, or the one
    whom `sid` is about when it opens on "she" or "he". (The neighbours' credit reads the same
    `window_terms` for every sentence at once, through `window_postings`, in bot.match.)"""
    found = 0
    nearby = index.window_terms[sid]
    for i, term in enumerate(terms):
        if candidates >> i & 1 and not term.alts.isdisjoint(nearby):
            found |= 1 << i
    return found
