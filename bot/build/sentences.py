"""Paragraph -> sentences, each a verbatim slice of the paragraph's text.

A brief may only quote what an article says, so the splitter never rewrites a character: every
sentence it returns is `text[start:end]` with the surrounding spaces trimmed. It splits after
`.`, `!` or `?` (and any closing quotes or brackets) when the next word starts a new sentence,
and not after the abbreviations, initials and dotted acronyms news copy is full of
("Mr. Trump", "Vladimir V. Putin", "the U.S. president", "Jan. 10"). Inside an open quotation
that closes later in the paragraph it does not split, so a quoted passage of two sentences stays
with its "..., she said".
"""

from __future__ import annotations

import re

# Words that end with a full stop without ending the sentence. English newsroom usage, not data.
_ABBREVIATIONS_TEXT = """
    mr mrs ms dr prof gen lt col maj capt cmdr adm sgt cpl pvt st sen rep gov jr sr rev hon
    pres supt insp det amb vs v etc inc corp co ltd bros dept univ est approx fig al
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    ft mt
    """
_ABBREVIATIONS = frozenset(_ABBREVIATIONS_TEXT.split())
_OPENING = "“‘\"'(["
_CLOSING = "”’\"')]"
# A candidate end: terminal punctuation, then closing quotes/brackets, then whitespace.
_END = re.compile(r"[.!?]+[" + re.escape(_CLOSING) + r"]*(?=\s)")
_WORD_BEFORE = re.compile(r"([\w.\-’']+)$")


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, in order, each exactly as it appears in `text`."""
    return [text[start:end] for start, end in sentence_spans(text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each sentence of `text`, leading and trailing spaces excluded."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(text):
        end = match.end()
        if _ends_sentence(text, match.start(), end) and text[start:end].strip():
            spans.append(_trim(text, start, end))
            start = end
    if text[start:].strip():
        spans.append(_trim(text, start, len(text)))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _ends_sentence(text: str, punct: int, end: int) -> bool:
    after = text[end:].lstrip()
    if not after:
        return True
    first = after[0]
    # A new sentence opens with a capital, a digit or an opening quote/bracket.
    if not (first.isupper() or first.isdigit() or first in _OPENING):
        return False
    # Only the word before the full stop matters; a short tail keeps this linear.
    if text[punct] == "." and _is_abbreviation(text[max(0, punct - 40) : punct]):
        return False
    # "No. 1" numbers a thing; "said no. Then" ends a sentence.
    if text[punct] == "." and text[:punct].endswith(("No", "no")) and first.isdigit():
        return False
    return not _inside_open_quote(text, end)


def _is_abbreviation(before: str) -> bool:
    match = _WORD_BEFORE.search(before)
    if match is None:
        return False
    word = match.group(1)
    bare = word.strip(".").lower()
    if bare in _ABBREVIATIONS:
        return True
    # An initial ("Vladimir V. Putin") or a dotted acronym ("U.S", "N.E.D", "U.S.A.I.D").
    if len(word) == 1 and word.isupper():
        return True
    return bool(re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word))


def _inside_open_quote(text: str, pos: int) -> bool:
    """True when a curly quotation opened before `pos` closes after it in this paragraph."""
    head = text[:pos]
    opened = head.count("“") - head.count("”")
    return opened > 0 and "”" in text[pos:]
