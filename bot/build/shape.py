"""What a single line of a scraped page looks like: the signals segment and clean share.

Scraped pages have no markup left, so a line's role is told from its shape: body paragraphs
are sentences (several words, final punctuation); headlines are short and unpunctuated; menus
are runs of short bullets; captions and alt text are short, often lower case, often repeated.
On top of the shapes sits one small table of boilerplate phrases (`BOILERPLATE`), each with the
reason clean reports when it drops the line. The table names page furniture, never a story.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "BOILERPLATE",
    "boilerplate",
    "is_body",
    "is_bullet",
    "is_headline",
    "is_list_heading",
    "is_prose",
    "is_sentence_bullet",
    "is_short_bullet",
    "is_transparent",
    "norm",
    "words",
]

_WORD = re.compile(r"[^\W_]+(?:[’'.\-][^\W_]+)*")
_FINAL = re.compile(r"[.!?…][\"'”’)\]]*\s*$")
_BULLET = re.compile(r"^\s*(?:[•·▪●◦‣*\-–—]\s*|\d{1,2}[.)]\s+)")
# A capital, a digit or a currency sign, or a brand such as "iTunes" / "eBay".
_UPPER_START = re.compile(r"^[\"“‘'(\[]?[A-Z0-9À-Þ$£€&]|^[a-z][A-Z]")
_SPACES = re.compile(r"\s+")
_BYLINE = re.compile(r"^By\s+[A-Z]")
_CACHE = 1 << 16  # lines: every stage asks about the same lines many times
_LONG = 26  # words: no headline is this long
_MENU_COMMAS = 4  # "Divorce plea, Supreme Court, Omar Abdullah, ...": a keyword line

# Page furniture, by the reason clean reports. Patterns are matched case-insensitively against
# the whole stripped line (re.search); keep them anchored or specific enough that a sentence of
# news can never match. The order matters only for which reason a line is counted under.
BOILERPLATE: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (reason, re.compile(pattern, re.IGNORECASE))
    for reason, pattern in (
        ("advertisement", r"^(?:skip )?advertisement$|^supported by$|^sponsored(?: content)?$"),
        ("advertisement", r"^ad feedback$|marketing initiatives?$|^festive offer$"),
        ("robot wall", r"unusual activity from your (?:computer|network)|not a robot"),
        ("robot wall", r"^why did this happen\??$|supports javascript and cookies|reference id"),
        ("robot wall", r"enable (?:javascript|cookies)|^accept (?:all )?cookies|cookie (?:policy|settings)"),
        ("copyright", r"^(?:copyright\b|©)|\ball rights reserved\b|for reprint rights"),
        ("credit", r"\bcontributed (?:reporting|to this report)\b|^write to .{2,60} at\b"),
        ("credit", r"^\(?with (?:inputs? from [\w ]+|[\w ]+ inputs?)\)?\.?$"),
        ("credit", r"^read the original article on\b|\bis a (?:reporter|correspondent|writer) (?:covering|for|at)\b"),
        ("credit", r"^more about [A-Z]"),
        ("credit", r"^(?:additional )?reporting by\b|^editing by\b|^compiled by\b|^(?:—\s*)?with assistance from\b"),
        ("credit", r"^our standards:|\btrust principles\.?$"),
        ("prompt", r"^subscribe\b|\bsubscribe to (?:the|our)\b|^sign up\b|newsletters?\b"),
        ("prompt", r"^download (?:the )?app$|\bjoin our whatsapp\b|^follow(?: us)?\b|^find us on\b"),
        ("prompt", r"to home screen$|^listen to (?:this )?(?:story|article)$|^get the app\b|\bclick to get\b"),
        ("prompt", r"^read all the (?:breaking|latest) news\b|^share(?: full article| this)?\.?$"),
        ("prompt", r"^leave a reply$|^short url$|^you are at:?$|^print$|^comments?$"),
        ("prompt", r"^share (?:on|via) \w+$|^(?:copy link|email|sign in|log in|register|save|close)$"),
        ("prompt", r"^(?:listen|play|watch) (?:to )?(?:this )?(?:article|story|video)\b|^\d+ min(?:ute)? read$"),
        ("prompt", r"^continue reading\b|^click here\b|^reuse this content$"),
        ("robot wall", r"\bwe use cookies\b"),
        ("prompt", r"^this article is more than \d+ \w+ old$"),
        ("navigation", r"^skip to (?:main )?content$|^main content$|^keyboard shortcuts\b"),
        ("navigation", r"^(?:privacy (?:policy|dashboard)|terms (?:and|&) conditions|advertise with us)$"),
        ("navigation", r"^(?:press releases|contact us|about us|sitemap|home)$|^new on \w+$"),
        ("navigation", r"^(?:menu|search|sections|topics|open navigation|close navigation|back to top)$"),
        ("related", r"^read more\b|^also read\b|^related(?: \w+)? (?:stories|articles|news|links)$"),
        ("related", r"^recommended(?: stories| for you)?$|^more must-reads\b|^(?:\w+ \d\d: )?latest news$"),
        ("related", r"^(?:top|trending) (?:stories|news)$|^breaking news\b|^more (?:explained|from|stories|news)\b"),
        ("related", r"^best of \w+$|^editor'?s'? picks?\.?$|^must read$|^watch(?::| \|)|^(?:images|videos?)$"),
        ("related", r"^you may (?:also )?like$|^most (?:read|popular|viewed)$|live updates:?$"),
        ("related", r"^read next$|^more on this (?:story|topic)$|^related topics$|^explore more\b"),
        ("caption", r"getty images|\bhide caption\b|\btoggle caption\b|\((?:AFP|AP|Reuters)/File\)"),
        ("caption", r"^(?:photo|image|file photo|representational image)\b|/(?:AFP|AP|Reuters)\b"),
        ("caption", r"pic\.twitter\.com/|^\(?(?:photo|image) credit|^(?:image|media) (?:caption|source)\b"),
        ("caption", r"\bphotograph: |\(photo by [^)]*\)|^photo: "),
        ("caption", r"\((?:left|right|center|centre|top|bottom)\)|, (?:left|right|center|centre),"),
    )
)  # fmt: skip

_LIST_HEADING = frozenset({"related"})
_SHORT_ONLY = frozenset({"prompt", "related", "navigation", "advertisement"})
_SHORT = 12  # words
_LONGEST = 60  # words
_INDENT = 4  # spaces


@lru_cache(maxsize=_CACHE)
def norm(text: str) -> str:
    """The line with runs of whitespace (including no-break spaces) folded to one space."""
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=_CACHE)
def words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text))


@lru_cache(maxsize=_CACHE)
def boilerplate(text: str) -> str | None:
    """The reason this line is page furniture, from the phrase table, or None."""
    line = norm(_BULLET.sub("", text, count=1))
    if not line:
        return None
    count = line.count(" ") + 1
    if count > _LONGEST:
        return None  # a long paragraph is never furniture; and searching it is slow
    short = count <= _SHORT
    for reason, pattern in BOILERPLATE:
        found = pattern.search(line)
        # "... sign up for the new series" in a paragraph is news; a prompt is a short line.
        if found and (short or found.start() == 0 or reason not in _SHORT_ONLY):
            return reason
    return None


@lru_cache(maxsize=_CACHE)
def is_bullet(text: str) -> bool:
    return bool(_BULLET.match(text))


@lru_cache(maxsize=_CACHE)
def is_short_bullet(text: str) -> bool:
    """A menu entry: a bullet of a few words with no sentence in it."""
    return is_bullet(text) and not is_sentence_bullet(text)


@lru_cache(maxsize=_CACHE)
def is_sentence_bullet(text: str) -> bool:
    """A highlight bullet ("• Putin said on Thursday that ..."): a bullet that reads as a sentence."""
    if not is_bullet(text):
        return False
    tokens = words(_BULLET.sub("", text, count=1))
    # Title Case entries ("The 100 Most Influential People in AI 2024") are links, not sentences.
    lower = sum(1 for t in tokens if t[0].islower())
    return len(tokens) >= 7 and lower >= 0.4 * len(tokens)


@lru_cache(maxsize=_CACHE)
def is_prose(text: str) -> bool:
    """A sentence or more: several words, lower case words, final punctuation."""
    line = norm(text)
    if is_bullet(text):
        return False
    tokens = words(line)
    # A long run of words is prose even when the scrape lost its final full stop.
    if len(tokens) < 4 or (not _FINAL.search(line) and len(tokens) < _LONG):
        return False
    lower = sum(1 for t in tokens if t[0].islower())
    return lower >= 2


@lru_cache(maxsize=_CACHE)
def is_body(text: str) -> bool:
    """Prose that is not page furniture: what an article's paragraphs are made of."""
    return is_prose(text) and boilerplate(text) is None


@lru_cache(maxsize=_CACHE)
def is_headline(text: str) -> bool:
    """Shaped like a headline: a short line that starts with a capital and is not a sentence
    fragment of a menu (a headline may end with '?' or even '.', as some outlets write them)."""
    # Deeply indented lines are the snippets of a search listing, not headlines.
    if is_bullet(text) or text[:_INDENT].isspace():
        return False
    line = norm(text)
    if not line or not _UPPER_START.match(line) or line[-1] in ",;:" or _BYLINE.match(line):
        return False
    tokens = words(line)
    if not 3 <= len(tokens) <= 30 or len(line) > 220:
        return False
    if line.endswith(".") and len(tokens) > 22:
        return False
    if line.count(",") >= _MENU_COMMAS and len(tokens) <= 3 * line.count(","):
        return False
    if boilerplate(line) is not None:
        return False
    return sum(1 for c in line if c.isalpha()) >= 10


def is_list_heading(text: str) -> bool:
    """A line that announces a list of other stories ("Related Stories", "Latest News")."""
    return boilerplate(text) in _LIST_HEADING


@lru_cache(maxsize=_CACHE)
def is_transparent(text: str) -> bool:
    """Lines that sit inside an article without breaking it: blanks, captions, ads, alt text."""
    line = norm(text)
    if not line:
        return True
    reason = boilerplate(line)
    if reason in {"caption", "advertisement"}:
        return True
    if reason is not None:
        return False
    # Alt text scraped as a line of its own: "putin india visit".
    return line[0].islower() and not _FINAL.search(line) and len(words(line)) <= 8
