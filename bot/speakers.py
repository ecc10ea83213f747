"""Who speaks in a sentence, and who its subject is: names, roles and descriptions mined from
the briefs' own text, so that "what did X say" can ask for X's words and not merely X's name.

- `speakers_in`: the name right before or after a verb of speech ("Trump said", "said
  Belousova", "according to TASS"); a name merely mentioned elsewhere is not the speaker.
- `subject_name` / `leading_name`: the name doing a sentence's verb, or the one it opens on
  (what a following "she said" refers to; bot.index).
- `roles_in` / `acting_roles`: the role a sentence gives a name ("Dmitri S. Peskov, the
  spokesman for the Kremlin", "Defence Minister Rajnath Singh"), so "what did the Kremlin
  spokesman say" is asked of Peskov wherever he is quoted.
- `described_speakers`: a speaker given by description only ("a third Russian source said").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection

from bot.intents import MONTHS, REPORTED
from bot.text import STOPWORDS, normalize, stem, tokens
from bot.vocab import term_stems

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
_ANY_VERB = re.compile(rf"\b(?:{_VERB}|[Aa]ccording to)\b")
_SPEAKER_AFTER = re.compile(
    rf"\b(?:{_VERB_BEFORE_SPEAKER}|[Aa]ccording to)\s+(?:the\s+)?({_NAME_RUN})"
    # "according to bookmaker Ladbrokes", "according to research firm Gartner"
    rf"|\b[Aa]ccording to\s+(?:the\s+)?(?:[a-z][\w-]*\s+){{1,3}}({_NAME_RUN})"
)
# "said Academy executive director Bruce Davis": a role in small letters between the verb (and
# an organisation) and the full name it introduces.
_ROLE_WORDS = (
    "actor|actress|adviser|advisor|ambassador|analyst|attorney|author|boss|chairman|chairwoman|"
    "chief|commander|consultant|correspondent|designer|developer|director|economist|editor|"
    "engineer|executive|expert|founder|general|governor|head|lawyer|leader|manager|member|"
    "minister|officer|official|organiser|organizer|partner|president|producer|professor|"
    "researcher|scientist|secretary|senator|singer|spokesman|spokeswoman|spokesperson|"
    "strategist|writer"
)
_SPEAKER_AFTER_ROLE = re.compile(
    rf"\b(?:{_VERB_BEFORE_SPEAKER}|[Aa]ccording to)\s+(?:the\s+)?(?:[A-Z][\w.’'-]*\s+){{0,3}}"
    rf"(?:(?:former|senior|deputy|vice|chief|managing|executive|general)\s+)*"
    rf"(?:{_ROLE_WORDS})\s+((?:[A-Z][\w.’'-]*\s+){{1,3}}[A-Z][\w’'-]*)"
)


# Past tenses that do not end in -ed: "the ELN sent fighters", "Putin met Modi".
_IRREGULAR = (
    "began|bought|brought|came|chose|cut|drew|fell|felt|fled|flew|gave|got|grew|held|hit|"
    "kept|knew|led|left|lost|made|met|paid|put|ran|rose|said|saw|sent|set|sold|spent|spoke|"
    "struck|took|told|threw|went|won|wrote"
)
# A name followed by its verb, maybe after an apposition: "Lyubov, a mother of four, is",
# "North Korean leader Kim Jong Un hailed".
_SUBJECT = re.compile(
    rf"({_NAME_RUN})(?:,[^.;“”\"]{{0,120}},)?\s+(?:also\s+|later\s+|then\s+|now\s+)?"
    rf"(?:[a-z]+ed|is|was|has|had|says|{_IRREGULAR})\b"
)
# A clause set before the sentence's own ("When Mr. Maduro was sworn in, Mr. Petro refused
# ..."): its subject is not the sentence's.
_LEADING_CLAUSE = re.compile(
    r"^[\"“‘']?(?:when|after|before|as|while|if|although|though|because|since|until|once)\b"
    r"[^,;“”\"]{0,160},\s*",
    re.IGNORECASE,
)


def subject_name(text: str) -> frozenset[str]:
    """Stems of the first name in a sentence that is the subject of a verb, if any."""
    clause = _LEADING_CLAUSE.match(text)
    if clause is not None:
        text = text[clause.end() :]
    for m in _SUBJECT.finditer(text):
        found = term_stems(m.group(1)) - _CALENDAR
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
    for m in before:
        found |= term_stems(m.group(1))
    for pattern in (_SPEAKER_AFTER.finditer(text), _SPEAKER_AFTER_ROLE.finditer(text)):
        for m in pattern:
            # "She said Ukrainian soldiers brought her bread": the speaker comes before the
            # verb; what follows it is what was said.
            if not _PRONOUN_BEFORE.search(text, 0, m.start()):
                found |= term_stems(m.group(m.lastindex or 1))
    return frozenset(found - _CALENDAR)


_PRONOUN_BEFORE = re.compile(r"\b(?:he|she|they|we|i|it|who)\s+(?:has\s+|had\s+|also\s+)?$", re.I)


# "On Monday, analysts said ...", "In January, the company said ...": a time set off before the
# speaker is no one.
_CALENDAR = frozenset(
    stem(w)
    for w in (*MONTHS, "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
)


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
