"""Stage 1 of the build: one seed file -> its articles, found without any separator to rely on.

A scraped page is a run of lines: menus, a headline, sometimes a dek and a byline, the body,
then credits, teasers for other stories, more menus, the next headline. An article starts at

  * a headline-shaped line (`shape.is_headline`) that follows a break: the start of the file,
    two blank lines before a headline that shows its head (repeated, or dated just below), a
    line that is not body text (a menu, a credit such as "X contributed reporting", a prompt
    such as "Subscribe to ..."), or a paragraph when the headline is in Title Case (newspapers
    set headlines in Title Case and subheadings in sentence case);
  * and that is followed by a body: two or more sentences close together. Teasers for other
    stories (a headline with one blurb, or none) never are; after a list heading such as
    "Recommended Stories" a headline needs a body of three sentences to count;
  * or at body text with no headline at all, at the start of a file or right after a credit
    line: its title is then its first words.

A headline repeated on the next lines (a common scrape artefact) belongs to its article. A
headline-shaped line between two paragraphs is a subheading and does not split the article,
and until an article has shown two paragraphs its head (dek, caption, byline) runs on: only a
credit line or a menu ends it.
Each `RawArticle` keeps every line of its span, noise included; `clean` sorts them out. Its
`lines` start after the headline, or at the headline line itself when the title was made from
the article's first words.

The outlet comes from cues in the text (`OUTLET_CUES`: "More Must-Reads from TIME", "told CNN",
copyright lines, site names); menus after an article's last paragraph belong to the next page,
so their cues count for the next article. The date comes from metadata lines ("Updated Sep 08,
2024") or, failing that, a correction or update note whose year is the latest year the article
mentions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.build.article import Line, RawArticle
from bot.build.dates import DAY, MONTH, MONTHS, YEAR
from bot.build.read import SeedFile
from bot.build.shape import (
    boilerplate,
    is_body,
    is_bullet,
    is_headline,
    is_list_heading,
    is_sentence_bullet,
    is_short_bullet,
    is_transparent,
    norm,
    words,
)

__all__ = ["OUTLET_CUES", "find_date", "find_outlet", "segment"]

# Lines (not blank) scanned after a headline for its body, and how far a repeat may be.
_LOOKAHEAD = 16
_REPEAT_WINDOW = 8
_TITLE_WORDS = 14
# Lines a headline may have between it and its first paragraph: dek, caption, byline, date.
_HEAD_LINES = 2
_DEK_WORDS = 10
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*(?:\s|$)")


@dataclass(frozen=True)
class _Start:
    index: int  # index into file.lines of the headline (or of the first body line)
    headed: bool  # False: no headline, the title is made from the first words


def segment(file: SeedFile) -> list[RawArticle]:
    """Split one seed file into the articles it holds, in order."""
    lines = file.lines
    starts = _starts(lines)
    spans = [
        (start, starts[k + 1].index if k + 1 < len(starts) else len(lines))
        for k, start in enumerate(starts)
    ]
    outlets = _outlets(lines, spans)
    articles = []
    for (start, end), outlet in zip(spans, outlets, strict=True):
        head = lines[start.index]
        body = lines[start.index + 1 : end] if start.headed else lines[start.index : end]
        title = norm(head.text) if start.headed else _title_from(head.text)
        articles.append(
            RawArticle(
                file=file.rel,
                title=title,
                title_line=head.number,
                outlet=outlet,
                date=find_date([head, *body]),
                byline=_byline(body),
                lines=tuple(body),
            )
        )
    return articles


# -- where articles start ------------------------------------------------------------------


def _starts(lines: tuple[Line, ...]) -> list[_Start]:
    texts = [line.text for line in lines]
    starts: list[_Start] = []
    in_list = False  # after "Related Stories" and the like, until a menu ends the page
    after_credit = False  # "X contributed reporting": the next paragraph starts a new story
    settled = True  # the last article has shown two paragraphs: its head (dek, byline) is over
    body_seen = 0
    for i, text in enumerate(texts):
        if not norm(text):
            continue
        # A Title Case headline right after a paragraph starts a new story (newspapers set
        # headlines in Title Case, subheadings in sentence case), once the last one is settled.
        broken = _broken(texts, i) or (settled and bool(starts) and _title_case(text))
        # While an article's head (dek, caption, byline) is still running, only a credit line
        # or a menu can end it.
        may_start = broken and (settled or after_credit or _menu_before(texts, i))
        if may_start and is_headline(text) and _has_body(texts, i, 3 if in_list else 2):
            starts.append(_Start(i, headed=True))
            in_list = after_credit = settled = False
            body_seen = 0
            continue
        if (
            is_body(text)
            and not in_list
            and (after_credit or (not starts and broken))
            and _has_body(texts, i - 1, 2)
        ):
            starts.append(_Start(i, headed=False))
            after_credit = settled = False
            body_seen = 1
            continue
        if is_body(text):
            body_seen += 1
            settled = settled or body_seen >= 2
        reason = boilerplate(text)
        if is_list_heading(text) and broken:
            in_list = True
        elif is_short_bullet(text) or reason == "navigation":
            in_list = False
        if reason == "credit":
            after_credit = True
        elif not is_transparent(text):
            after_credit = False
    return starts


_MINOR_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "its",
        "of",
        "on",
        "or",
        "over",
        "the",
        "to",
        "vs",
        "via",
        "with",
    ]
)
_TITLE_CASE_WORDS = 5


def _title_case(text: str) -> bool:
    """ "How Venezuela Helps Fuel the Violence in Colombia": every major word capitalised."""
    tokens = words(text)
    major = [t for t in tokens if t.casefold() not in _MINOR_WORDS]
    return (
        len(tokens) >= _TITLE_CASE_WORDS
        and not is_body(text)
        and all(t[0].isupper() or t[0].isdigit() for t in major)
    )


def _menu_before(texts: list[str], i: int) -> bool:
    """Whether a menu entry or navigation is the line above line i: a new page starts."""
    j = _previous(texts, i)
    return j is not None and (is_short_bullet(texts[j]) or boilerplate(texts[j]) == "navigation")


def _menu_follows(texts: list[str], k: int) -> bool:
    """Whether the short bullet at line k is followed by another: a menu, not a share link."""
    for j in range(k + 1, len(texts)):
        if norm(texts[j]):
            return is_short_bullet(texts[j])
    return False


def _previous(texts: list[str], i: int, *, through_blanks: bool = False) -> int | None:
    """Index of the nearest line above i that is not blank, a caption, an ad or alt text;
    None at the start of the file or across two blank lines."""
    blanks = 0
    for j in range(i - 1, -1, -1):
        if not norm(texts[j]):
            blanks += 1
            if blanks >= 2 and not through_blanks:
                return None
            continue
        blanks = 0
        if not is_transparent(texts[j]):
            return j
    return None


def _broken(texts: list[str], i: int) -> bool:
    """Whether line i follows a break: the file's start, two blank lines, or a line that is
    not body text. A subheading (a headline-shaped line or two right after a paragraph) and
    "Related stories" between two paragraphs are furniture inside an article, not a break.
    Two blank lines count only before a headline that shows an article's head: repeated on
    the next lines, or followed by a dateline such as "Updated 15 December 2025"."""
    j = _previous(texts, i)
    if j is None and _gap_above(texts, i) and not _has_head(texts, i):
        j = _previous(texts, i, through_blanks=True)
    for _ in range(3):
        if j is None:
            return True
        text = texts[j]
        if is_body(text) or is_sentence_bullet(text):
            return False
        if not (is_headline(text) or is_list_heading(text)):
            return True
        j = _previous(texts, j)
    return True


def _gap_above(texts: list[str], i: int) -> bool:
    """Whether two blank lines (not the file's start) separate line i from the text above."""
    return any(norm(t) for t in texts[:i]) and i >= 2 and not norm(texts[i - 1])


def _has_head(texts: list[str], i: int) -> bool:
    title = norm(texts[i]).casefold()
    for k in range(i + 1, min(len(texts), i + 1 + _REPEAT_WINDOW)):
        line = norm(texts[k])
        if line.casefold() == title or (
            _META.match(line) and find_date([Line(number=k, text=line)])
        ):
            return True
    return False


def _has_body(texts: list[str], i: int, needed: int) -> bool:
    """Whether the lines after line i hold `needed` sentences, two of them next to each other
    (nothing but blanks, captions or alt text between), before a menu, a list of other
    stories or a run of teasers (headline, one blurb, headline)."""
    title = norm(texts[i]).casefold() if i >= 0 else ""
    j = i + 1
    # A headline repeated just below itself: the body starts after the repeat.
    for k in range(i + 1, min(len(texts), i + 1 + _REPEAT_WINDOW)):
        if title and norm(texts[k]).casefold() == title:
            j = k + 1
            break
    count = headlines = 0
    last_body = ""
    adjacent = False
    previous_was_body = False
    seen = 0
    for k in range(j, len(texts)):
        text = texts[k]
        if not norm(text) or is_transparent(text):
            continue
        # A dek (a long line right under the headline) and a byline are part of the head.
        dek = seen == 0 and len(words(text)) >= _DEK_WORDS
        seen += boilerplate(text) is None and not dek and not _is_byline(text)
        if seen > _LOOKAHEAD or (count == 0 and seen > _HEAD_LINES):
            break
        if is_list_heading(text) or (is_short_bullet(text) and _menu_follows(texts, k)):
            break
        if boilerplate(text) in {"navigation", "credit", "copyright", "robot wall"}:
            break
        body = is_body(text) or is_sentence_bullet(text)
        if body and count == 0 and seen > 1 and is_headline(text):
            break  # a headline that reads as a sentence ("... But it has its reasons."): not ours
        if body:
            count += 1
            adjacent = adjacent or previous_was_body
            if count >= needed and adjacent:
                return True
        elif is_headline(text) and not previous_was_body:
            headlines += 1
            # Teaser after teaser: a headline, one blurb (or none), the next headline. Before
            # the body, a dek and a caption may be headline-shaped; a third such line is not.
            if count or headlines > 2:
                break
        previous_was_body = body
        if body:
            last_body = text
    else:
        # The file ends after one paragraph: a short story set on one line is still a story
        # when that line holds several sentences (a teaser's blurb is one).
        return count == 1 and needed <= 2 and len(_SENTENCE_END.findall(norm(last_body))) >= 2
    return False


def _title_from(text: str) -> str:
    """A title for an article that has no headline: its first sentence, cut short."""
    line = norm(text)
    sentence = re.split(r"(?<=[.!?])\s+(?=[A-Z“\"])", line, maxsplit=1)[0]
    tokens = sentence.split(" ")
    if len(tokens) <= _TITLE_WORDS:
        return sentence
    return " ".join(tokens[:_TITLE_WORDS]).rstrip(",;:—–-") + " …"


# -- outlet --------------------------------------------------------------------------------

# Cue -> outlet. A cue is evidence, not proof: a page quotes other outlets ("told Politico"),
# so each cue has a weight and the outlet with most weight wins. Template cues (a site's own
# furniture, its copyright, "Read the original article on ...") weigh most; "told X" a little;
# a wire service named in the text least, as outlets reprint wire copy and say so.
_TEMPLATE = 3.0
_TOLD = 1.0
_WIRE = 0.5
_OUTLETS: tuple[tuple[str, str], ...] = (
    ("TIME", r"\bfrom TIME\b|\bTIME\.com\b"),
    (
        "The New York Times",
        r"\bNew York Times\b|\bThe Times\b(?! of)|\bTimes Fellowship\b|\bNYTimes\b",
    ),
    ("Indian Express", r"\bIndian ?express\b|\bExpress (?:Explained|Shorts|Opinion|Premium)\b"),
    ("Washington Post", r"\bWashington Post\b"),
    ("Firstpost", r"\bFirstpost\b"),
    ("NPR", r"\bNPR\b"),
    ("India TV", r"\bIndia ?TV\b|\bindiatvnews\b"),
    ("Business Insider", r"\bBusiness Insider\b|\bInsider Today\b|\btold BI\b"),
    ("India Today", r"\bIndia Today\b(?! TV)"),
    ("Business Today", r"\bBusiness ?Today\b"),
    ("The Week", r"^THE WEEK\b|^The Week$|\bTHE WEEK (?:TV|FOCUS)\b"),
    ("CNN", r"\bCNN\b"),
    ("Arab News", r"\bArab News\b"),
    ("Al Jazeera", r"\bAl Jazeera\b"),
    ("BBC News", r"\bBBC\b"),
    ("The Guardian", r"\b[Tt]he Guardian\b"),
    ("Bloomberg", r"\bBloomberg\b"),
    ("Politico", r"\bPolitico\b"),
    ("Financial Times", r"\bFinancial Times\b"),
    ("The Wall Street Journal", r"\bWall Street Journal\b"),
    ("The Hindu", r"\bThe Hindu\b(?!stan)"),
    ("Hindustan Times", r"\bHindustan Times\b"),
    ("The Times of India", r"\bTimes of India\b"),
    ("NDTV", r"\bNDTV\b"),
    ("Deutsche Welle", r"\bDeutsche Welle\b|\bDW\b"),
    ("France 24", r"\bFrance ?24\b"),
    ("Fox News", r"\bFox News\b"),
    ("NBC News", r"\bNBC News\b"),
    ("CBS News", r"\bCBS News\b"),
    ("ABC News", r"\bABC News\b"),
    ("Axios", r"\bAxios\b"),
    ("The Associated Press", r"\bAssociated Press\b|\(AP\)"),
    ("Reuters", r"\bReuters\b"),
    ("AFP", r"\bAFP\b|\bAgence France-Presse\b"),
)
_WIRES = frozenset({"The Associated Press", "Reuters", "AFP"})
OUTLET_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern)) for name, pattern in _OUTLETS
)
# All cues in one pattern, so that a line is scanned once: group "o<k>" is _OUTLETS[k].
_ANY_CUE = re.compile("|".join(f"(?P<o{k}>{pattern})" for k, (_, pattern) in enumerate(_OUTLETS)))
_TOLD_VERBS = ("told", "said to", "speaking to", "spoke to", "wrote to")
_TOLD_RE = re.compile(rf"\b(?:{'|'.join(_TOLD_VERBS)})\s+(?:the\s)?$")
_COPYRIGHT_NAME = re.compile(
    r"(?:©|copyright)\s*(?:©\s*)?(?:\d{4}\s*)?(?:-\s*\d{4}\s*)?([A-Z][\w&'. -]{2,40}?)"
    r"(?:\.|,|\s+All\b|\s+Limited\b|\s+Ltd\b|\s+Inc\b|$)",
    re.IGNORECASE,
)


def find_outlet(texts: list[str]) -> str | None:
    """The outlet the cues in these lines point to, or None when they say nothing."""
    return _winner(_votes(texts, 0))


_Votes = dict[str, tuple[float, int]]  # outlet -> (weight, line index of its first cue)


def _votes(texts: list[str], offset: int) -> _Votes:
    votes: _Votes = {}

    def vote(name: str, weight: float, at: int) -> None:
        old, first = votes.get(name, (0.0, at))
        votes[name] = (old + weight, min(first, at))

    for k, text in enumerate(texts, start=offset):
        line = norm(text)
        reason = boilerplate(line) if line else None
        if not line or reason == "caption":
            continue  # "Sergei Karpukhin/AFP via Getty Images": the photo agency, not the outlet
        template = is_bullet(text) or reason is not None or not is_body(line)
        if not template and not any(verb in line for verb in _TOLD_VERBS):
            continue  # a paragraph only counts with "told X", and scanning it is slow
        for match in _ANY_CUE.finditer(line):
            name = _OUTLETS[int(str(match.lastgroup)[1:])][0]
            if template:
                vote(name, _TEMPLATE, k)
            elif _TOLD_RE.search(line[: match.start()]):
                vote(name, _WIRE if name in _WIRES else _TOLD, k)
            # else: named in passing ("according to the BBC") is not a byline
        if reason == "copyright" and not _ANY_CUE.search(line):
            found = _COPYRIGHT_NAME.search(line)
            if found:
                vote(found.group(1).strip(), _TEMPLATE, k)
    return votes


def _winner(votes: _Votes) -> str | None:
    if not votes:
        return None
    # Ties go to the cue met first: an article's footer comes before the next page's header.
    return max(votes, key=lambda n: (votes[n][0], -votes[n][1]))


def _merge(a: _Votes, b: _Votes) -> _Votes:
    merged = dict(a)
    for name, (weight, first) in b.items():
        old, at = merged.get(name, (0.0, first))
        merged[name] = (old + weight, min(at, first))
    return merged


def _outlets(lines: tuple[Line, ...], spans: list[tuple[_Start, int]]) -> list[str | None]:
    """Each article's outlet. A menu after an article's last paragraph is the next page's
    header, so its cues go to the next article; a file whose articles name one outlet only
    (one site's page) lends it to its articles that name none."""
    texts = [line.text for line in lines]
    outlets: list[str | None] = []
    carry: _Votes = {}
    for start, end in spans:
        last = max((k for k in range(start.index, end) if is_body(texts[k])), default=start.index)
        tail = next((k for k in range(last + 1, end) if is_short_bullet(texts[k])), end)
        outlets.append(_winner(_merge(carry, _votes(texts[start.index : tail], start.index))))
        carry = _votes(texts[tail:end], tail)
    named = {o for o in outlets if o is not None and o not in _WIRES}
    if len(named) == 1:
        only = next(iter(named))
        outlets = [only if o is None or o in _WIRES else o for o in outlets]
    return outlets


# -- date and byline -----------------------------------------------------------------------

_FULL_DATES = (
    re.compile(rf"\b{MONTH}\s+{DAY},?\s+{YEAR}\b"),
    re.compile(rf"\b{DAY}\s+{MONTH},?\s+{YEAR}\b"),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mnum>[01]\d)-(?P<day>[0-3]\d)\b"),
)
_NOTE = re.compile(
    rf"^(?:Correction|Updated|Update|Published|Posted|Last updated)\b[:,]?\s*(?:on\s+)?{MONTH}\s+{DAY}\b"
)
_META = re.compile(r"^(?:Updated|Published|Posted|Last updated|First published|Date)\b", re.I)
_YEARS = re.compile(r"\b((?:19|20)\d\d)\b")
_META_WORDS = 12
_META_LINES = 12


def find_date(lines: list[Line]) -> str | None:
    """ISO date of an article from its metadata lines, or None when it is not stated."""
    meta = [norm(x.text) for x in lines[:_META_LINES] if norm(x.text)]
    for line in meta:
        stripped = re.sub(r"^[•·\-*\s]+", "", line)
        if len(words(stripped)) <= _META_WORDS or _META.match(stripped):
            for pattern in _FULL_DATES:
                found = pattern.search(stripped)
                if found:
                    return _iso(found)
    years = [int(y) for x in lines for y in _YEARS.findall(x.text)]
    for x in lines:
        found = _NOTE.match(norm(x.text))
        if found and years:
            return _iso(found, year=max(years))
    return None


def _iso(found: re.Match[str], *, year: int | None = None) -> str | None:
    groups = found.groupdict()
    month = int(groups["mnum"]) if groups.get("mnum") else MONTHS[groups["month"].lower()]
    day = int(groups["day"])
    y = int(groups["year"]) if groups.get("year") else year
    if y is None or not 1 <= day <= 31:
        return None
    return f"{y:04d}-{month:02d}-{day:02d}"


_BY = re.compile(r"^By\s+([A-Z][\w.'’-]+(?:\s+(?:[A-Z][\w.'’-]+|and|de|van|von|al))*)\s*$")
_NAME_LINE = re.compile(r"^[A-Z][a-z’'-]+(?:\s+[A-Z][a-z’'.-]+){1,2}(?:\s+Desk)?$")


def _is_byline(text: str) -> bool:
    line = norm(text)
    return bool(_BY.match(line) or _NAME_LINE.match(line))


def _byline(body: tuple[Line, ...] | list[Line]) -> str | None:
    """ "By Eve Sampson", or a line that is only a name just under the headline."""
    seen = 0
    for line in body:
        text = norm(line.text)
        if not text:
            continue
        seen += 1
        if seen > 8:
            return None
        if is_body(text) or any(p.search(text) for _, p in OUTLET_CUES):
            continue
        found = _BY.match(text)
        if found:
            return found.group(1)
        if _NAME_LINE.match(text) and boilerplate(text) is None and not is_transparent(text):
            return text
    return None
