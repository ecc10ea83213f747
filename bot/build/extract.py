"""What a single sentence tells the summarizer: its kind of fact, who is quoted, the date, names.

Pure pattern rules over one sentence (plus the article's date for dates without a year). They
know English newsroom phrasing ("..., X said", "on Jan. 10", "President Y"), never any topic.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from bot.build.dates import DAY, MONTH, MONTH_NAMES, MONTHS, YEAR
from bot.text import STOPWORDS

_DATE_PATTERNS = (
    re.compile(rf"\b{MONTH}\s+{DAY}\b(?!\s*(?:percent|%|million|billion))(?:,?\s+{YEAR}\b)?"),
    re.compile(rf"\b{DAY}\s+{MONTH}\b(?:,?\s+{YEAR}\b)?"),
    re.compile(rf"\b{MONTH}\s+{YEAR}\b"),
    # "in February": a month without a day; "May" alone is too often the verb.
    re.compile(rf"\b(?:in|since|until|by|last|early|late|mid-)\s*(?!May\b){MONTH}\b(?![\w-])"),
)
_NUMBER_WORDS = re.compile(
    # "one" and "two" are too common to make a sentence a figure ("the two leaders").
    r"\b(?:\d|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|"
    r"hundreds?|thousands?|millions?|billions?|trillions?|percent)\b",
    re.IGNORECASE,
)
_DATE_WORDS = re.compile(rf"\b(?:{MONTH_NAMES})\b(?!-)|\b(?:19|20)\d\d\b")
_DECISION = re.compile(
    r"\b(?:signed|agreed|approved|announced|decided|ordered|banned|voted|passed|launched|"
    r"imposed|lifted|suspended|cancell?ed|rejected|declared|ruled|appointed|fired|sanctioned|"
    r"vetoed|ratified|pledged|promised|committed|confirmed|recognized|recognised|released|"
    r"freed|arrested|sentenced|charged|elected|resigned|withdrew|deployed|froze|halted|"
    r"will (?:\w+ )?(?:visit|sign|hold|send|deploy|impose|end|meet|travel))\b"
)

_SPEECH = (
    r"(?:said|says|told|tells|added|adds|stated|wrote|writes|posted|replied|noted|asked|warned|"
    r"tweeted|declared|explained|insisted|argued|recalled|continued|stressed|urged|remarked)"
)
_NAME_WORD = r"(?:[A-Z][a-z]{0,3}\.|[A-Z][\w’'\-]*[a-z][\w’'\-]*|[A-Z]{2,})"
_NAME = (
    rf"(?:(?:the\s)?{_NAME_WORD}(?:\s(?:{_NAME_WORD}|(?:de|al|bin|el|van|von|da|la|der)\b)){{0,5}})"
)
_QUOTE_SPAN = re.compile(r"“([^“”]+)”|\"([^\"]+)\"")
_QUOTE_THEN_SPEAKER = re.compile(
    rf"[”\"],?\s+(?:(?P<a>{_NAME})(?:,[^“”\"]{{1,140}},)?\s+{_SPEECH}|{_SPEECH}\s+(?P<b>{_NAME}))"
)
_SPEAKER_THEN_QUOTE = re.compile(
    rf"(?P<a>{_NAME})(?:,[^“”\"]{{1,140}},)?\s+{_SPEECH}(?:\s+[\w’'.]+){{0,6}}?[,:]?\s+(?:that\s+)?[“\"]"
)
_TITLES_TEXT = """
    mr mrs ms dr prof gen lt col maj capt adm sgt sen rep gov president prime minister
    secretary chancellor king queen prince princess pope sheikh judge justice general
    lieutenant colonel commander ambassador envoy spokesman spokeswoman spokesperson chief
    foreign defense defence deputy vice interior finance external affairs state
    """
_TITLES = frozenset(_TITLES_TEXT.split())
_PERSONAL_TITLES = _TITLES - {
    "foreign", "defense", "defence", "deputy", "vice", "interior", "finance", "external",
    "affairs", "state", "chief", "general",
}  # fmt: skip
_NOT_NAMES_TEXT = """
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december
    """
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())
_CAPS_RUN = re.compile(r"(?:[A-Z]\.(?=\s)|[A-Z][\w’'\-]*)(?:\s+(?:[A-Z]\.(?=\s)|[A-Z][\w’'\-]*))*")
# What follows a person's name: a speech verb, an age, or an apposition naming a role.
_PERSON_AFTER = re.compile(
    rf"(?:\s+{_SPEECH}\b|,\s+(?:\d{{1,3}},|who\b|an?\s+[a-z]+|the\s+[a-z]+(?:\s+[a-z]+)?\s+(?:of|at|for)\b))"
)
# "the Kursk region", "the Gaza Strip": a place named before a common noun of geography.
_PLACE_NOUNS = frozenset(
    [
        "region",
        "province",
        "state",
        "city",
        "town",
        "village",
        "border",
        "area",
        "district",
        "county",
        "capital",
        "front",
        "peninsula",
        "strip",
        "coast",
        "valley",
        "river",
        "island",
        "islands",
        "oblast",
        "port",
    ]
)
_NEXT_WORD = re.compile(r"\s+([a-z]+)\b")
_PLACE_AFTER = re.compile(
    r"\b(?:in|of|to|from|into|across|near|around|at|outside|inside|throughout|toward|towards|visit|visited|visiting)"
    r"\s+(?:the\s+)?((?:[A-Z][a-z][\w\-]*)(?:\s+[A-Z][a-z][\w\-]*){0,2})"
)


def fact_kind(sentence: str) -> str:
    """number | date | decision | statement: why a sentence is a key fact (or is not)."""
    if _DECISION.search(sentence):
        return "decision"
    if _NUMBER_WORDS.search(_without_dates(sentence)):
        return "number"
    if _DATE_WORDS.search(sentence):
        return "date"
    return "statement"


def _without_dates(sentence: str) -> str:
    # "on Jan. 10" or "in 2024" is a date, not a figure.
    out = sentence
    for pattern in _DATE_PATTERNS:
        out = pattern.sub(" ", out)
    return re.sub(r"\b(?:19|20)\d\d\b", " ", out)


@dataclass(frozen=True, kw_only=True)
class Quoted:
    speaker: str
    quote: str


def find_quote(sentence: str) -> Quoted | None:
    """Who is quoted in `sentence` and the quoted words, when a named speaker says them."""
    spans = [m.group(1) or m.group(2) for m in _QUOTE_SPAN.finditer(sentence)]
    spans = [s.strip().rstrip(",").strip() for s in spans if s]
    spans = [s for s in spans if len(s.split()) >= 3]
    if not spans:
        return None
    for pattern in (_QUOTE_THEN_SPEAKER, _SPEAKER_THEN_QUOTE):
        for match in pattern.finditer(sentence):
            group = "a" if match.group("a") else "b"
            if group == "a" and re.search(r"\b(?:of|for|and)\s*$", sentence[: match.start("a")]):
                continue  # the tail of a longer name: "Joint Chiefs of Staff said"
            speaker = clean_name(match.group(group) or "")
            if speaker:
                return Quoted(speaker=speaker, quote=max(spans, key=len))
    return None


def clean_name(raw: str) -> str:
    """A speaker or person as named: leading function words and a trailing possessive dropped."""
    words = raw.replace("\u2019s ", " ").split()
    while words and (words[0].lower() in STOPWORDS or words[0].lower() in {"according"}):
        words.pop(0)
    if not words or all(w.lower().rstrip(".") in _TITLES for w in words):
        return ""
    if words[0].lower() in _NOT_NAMES:
        return ""
    return " ".join(words).rstrip(".,").removesuffix("’s").removesuffix("'s")


def find_date(sentence: str, article_date: str | None) -> str | None:
    """The first calendar date stated in `sentence`, ISO: yyyy-mm-dd, or yyyy-mm."""
    ref = _parse_iso(article_date)
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(sentence):
            parts = match.groupdict()
            month = MONTHS[parts["month"].lower().rstrip(".")]
            year = int(parts["year"]) if parts.get("year") else None
            if year is None:
                if ref is None:
                    continue
                # A month later than the article's is last year's ("in November", written
                # in February), allowing a month ahead for plans.
                year = ref.year - 1 if month > ref.month + 1 else ref.year
            day = parts.get("day")
            if day is None:
                return f"{year:04d}-{month:02d}"
            try:
                return dt.date(year, month, int(day)).isoformat()
            except ValueError:
                continue
    return None


def _parse_iso(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        if len(value) == 7:
            return dt.date.fromisoformat(value + "-01")
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _strip_titles(words: list[str]) -> list[str]:
    while words and words[0].lower().rstrip(".") in _TITLES:
        words = words[1:]
    return words


def names(sentences: Iterable[str], speakers: Iterable[str]) -> tuple[list[str], list[str]]:
    """(people, places) named in `sentences`, most mentioned first.

    A place is a capitalised name after "in", "of", "to", "from", "visited"...; a person is a
    quoted speaker, or a name of two to four capitalised words with evidence of a person around
    it at least once: a title before it ("President", "Mr.", "minister") or, after it, a speech
    verb, an age or an apposition (", a senior fellow"). Crude, but it needs no gazetteer, so
    it works on any corpus.
    """
    places: Counter[str] = Counter()
    runs: Counter[str] = Counter()
    personal: set[str] = set()
    titled_names: set[str] = set()
    for text in sentences:
        for match in _PLACE_AFTER.finditer(text):
            place = match.group(1).removesuffix("’s").removesuffix("'s")
            # "of Ukrainian occupation", "Finland-based": an adjective, not a place.
            following = _NEXT_WORD.match(text[match.end() :])
            if following and following.group(1) not in STOPWORDS | _PLACE_NOUNS:
                continue
            if place.endswith("-based") or (" " not in place and place.endswith("ans")):
                continue  # "Finland-based", "Palestinians": people of a place, not the place
            if place.lower() not in _NOT_NAMES and place.split()[0].lower() not in _TITLES:
                places[place] += 1
        for match in _CAPS_RUN.finditer(text):
            raw = [w.rstrip(",") for w in match.group(0).split()]
            # "President Trump’s Middle East envoy": a possessive ends a name.
            for i, w in enumerate(raw):
                if w.endswith(("’s", "'s")):
                    raw = raw[: i + 1]
                    break
            # "Indian Prime Minister Narendra Modi": the name follows the last title.
            last_title = max(
                (i for i, w in enumerate(raw) if w.lower().rstrip(".") in _TITLES), default=-1
            )
            words = raw[last_title + 1 :]
            before = text[: match.start()].split()[-1:]
            # Only a title that names a person's office counts ("Minister", "Mr."), not a
            # modifier ("Foreign Ministry").
            title = raw[last_title] if last_title >= 0 else (before[0] if before else "")
            titled = title.lower().rstrip(".") in _PERSONAL_TITLES
            while words and words[0].lower() in STOPWORDS:
                words = words[1:]
            words = [w.removesuffix("’s").removesuffix("'s") for w in words]
            if not (2 if not titled else 1) <= len(words) <= 4:
                continue
            if any(w.isupper() and len(w) > 1 for w in words):
                continue
            if any(w.lower() in _NOT_NAMES or w.lower() in _TITLES for w in words):
                continue
            name = " ".join(words)
            runs[name] += 1
            if before and before[0].lower() == "the":
                continue  # "the Cold War", "the White House": things, not people
            if titled:
                titled_names.add(name)  # "Mr. Fogel": a person even if "of Fogel" looked a place
            elif len(words) > 1 and _PERSON_AFTER.match(text[match.end() :]):
                personal.add(name)
    place_words = {w for p in places for w in p.split()}
    people: Counter[str] = Counter()
    for name, count in runs.items():
        if name in titled_names or (
            name in personal and name not in places and not set(name.split()) & place_words
        ):
            people[name] += count
    for speaker in speakers:
        words = speaker.split()
        last_title = max(
            (i for i, w in enumerate(words) if w.lower().rstrip(".") in _TITLES), default=-1
        )
        words = words[last_title + 1 :]
        if words and not speaker.lower().startswith("the "):
            people[" ".join(words)] += 1
    # "Katulis" and "Brian Katulis" are one person: keep the full name.
    full = [p for p in people if len(p.split()) > 1]
    for p in list(people):
        if len(p.split()) == 1 and any(f.endswith(" " + p) for f in full):
            del people[p]
    ranked_people = [p for p, _ in sorted(people.items(), key=lambda kv: (-kv[1], kv[0]))]
    known = set(people) | {p.split()[-1] for p in people}
    ranked_places = [
        p
        for p, _ in sorted(places.items(), key=lambda kv: (-kv[1], kv[0]))
        if p not in known and p.split()[-1] not in known
    ]
    return ranked_people, ranked_places
