"""Text helpers shared by the build and the matcher: normalisation, tokens, stopwords, stems.

Everything here is pure and cheap. The rules are deliberately simple so that a sentence in a
brief and a question typed on a phone end up as the same tokens:

    normalize("Russia’s S-400 deal, Ünited") == "russia's s400 deal united"
    tokens("Russia’s S-400 deal")            == ["russia", "s400", "deal"]
    content_tokens("what did Modi say?")     == ["modi"]
    stem("talks") == stem("talking") == "talk"
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Typographic characters the scraped pages are full of, mapped to what a phone keyboard types.
_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)
# A hyphen from a letter to a digit is part of a name ("S-400", "Su-57", "G-20"): glued, so
# "s400" and "S-400" meet. Not from a digit to a letter: "1,300-mile" is a number and a unit.
_CODE_HYPHEN = re.compile(r"(?<=[a-z])-(?=\d)")
# "2+2 talks", "G7+": a plus inside a name is kept as a word.
_PLUS = re.compile(r"(?<=[a-z0-9])\+(?=[a-z0-9])")
# Characters kept inside a normalised text: letters, digits, apostrophe, hyphen, and the
# punctuation that ends a sentence or separates numbers (so "2,000" and "3.5" survive).
_DROP = re.compile(r"[^\w\s'\-.,%$]|_", re.UNICODE)
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+(?:[.,][^\W_]+)*", re.UNICODE)


def _fold(text: str) -> str:
    text = text.translate(_TRANSLATE)
    if text.isascii():
        text = text.lower()  # the fast path: most of a corpus is ASCII once quotes are folded
    else:
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = unicodedata.normalize("NFKC", text.casefold()).translate(_TRANSLATE)
    text = _CODE_HYPHEN.sub("", text)
    text = _PLUS.sub("plus", text)
    text = _DROP.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def normalize(text: str) -> str:
    """Lowercase, accents and typographic quotes folded, symbols dropped, one space between words.

    Idempotent: normalize(normalize(x)) == normalize(x), which the matcher relies on when it
    normalises the briefs once and each question once.
    """
    out = _fold(text)
    if out.isascii():
        return out  # one pass is a fixed point for ASCII
    # Case folding and compatibility forms can expose new foldable characters (a rare
    # ligature or a combining mark after "ß" becomes "ss"); a few passes reach the fixed point.
    for _ in range(3):
        again = _fold(out)
        if again == out:
            break
        out = again
    return out


def tokens(text: str) -> list[str]:
    """The words of `text` after `normalize`, in order: letters and digits only.

    Possessives are dropped ("russia's" -> "russia"); thousands separators are dropped
    ("2,000" -> "2000") but decimals kept ("3.5"); dotted abbreviations are joined
    ("U.S." -> "us"); a trailing full stop is not part of a word.
    """
    out: list[str] = []
    for word in _WORD.findall(normalize(text).replace("'s ", " ").replace("'", " ")):
        word = word.rstrip(".,")
        if "," in word and word.replace(",", "").isdigit():
            word = word.replace(",", "")  # "2,000" and "2000" are the same number
        elif "." in word and word.replace(".", "").isalpha():
            word = word.replace(".", "")  # "U.S." -> "us", "U.K." -> "uk"
        if word:
            out.append(word)
    return out


# Function words, question words and the small talk around a question ("quick question, ...",
# "i was wondering ..."): they say nothing about which brief answers it.
_STOPWORD_TEXT = """
    a about above abt after again against all also am an and any are aren around as at per
    be because been before being below between both but by can cannot could couldn did didn
    do does doesn doing don down during each either else ever every few for from further get
    gets got had hadn has hasn have haven having he her here hers herself him himself his how
    i if in into is isn it its itself just know let like ll many me more most much must mustn my
    myself need no nor not now of off on once one only or other our ours ourselves out over own
    please pls plz re really s same say says said shan she should shouldn so some still such t
    tell than that the their theirs them themselves then there these they thing things this
    those through to too u under until up upon ur ve very via was wasn we were weren what
    whats when where whether which while who whom whose why will with would wouldn y yet you
    your yours yourself yourselves d m o ain isnt dont didnt doesnt wont cant whats thats hows
    latest news update updates anything something everything tell give show explain info
    information happening happened happen going go goes gone went come comes came coming
    wondering wonder wondered curious quick quickly hey hi hello yo thanks
    thank thx kindly bot wanna gonna ask asking asap rn btw imo imho tbh idk lol fyi ty omg
    exactly basically actually briefly short today
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORD_TEXT.split())


def content_tokens(text: str) -> list[str]:
    """`tokens(text)` without stopwords and one-letter words: what a question is about."""
    return [t for t in tokens(text) if t not in STOPWORDS and (len(t) > 1 or t.isdigit())]


_SUFFIXES = ("ies", "ied", "ing", "ed", "es", "s")


# Irregular verb forms a suffix rule cannot reach, mapped to the base form. Only forms that are
# not also common words of another meaning ("left", "found", "rose" are not here).
_IRREGULAR = {
    "said": "say",
    "told": "tell",
    "met": "meet",
    "sent": "send",
    "held": "hold",
    "took": "take",
    "taken": "take",
    "won": "win",
    "fought": "fight",
    "gave": "give",
    "given": "give",
    "made": "make",
    "came": "come",
    "began": "begin",
    "begun": "begin",
    "brought": "bring",
    "bought": "buy",
    "sold": "sell",
    "paid": "pay",
    "spent": "spend",
    "built": "build",
    "withdrew": "withdraw",
    "withdrawn": "withdraw",
    "struck": "strike",
    "chose": "choose",
    "chosen": "choose",
    "spoke": "speak",
    "spoken": "speak",
    "wrote": "write",
    "written": "write",
    "knew": "know",
    "grew": "grow",
    "grown": "grow",
    "flew": "fly",
    "flown": "fly",
    "fled": "flee",
    "sought": "seek",
    "thought": "think",
    "taught": "teach",
    "caught": "catch",
    "drew": "draw",
    "drawn": "draw",
    "ran": "run",
    "hid": "hide",
    "hidden": "hide",
    "forgave": "forgive",
    "shot": "shoot",
    "lost": "lose",
    "died": "die",
    "dies": "die",
    "dying": "die",
}


# British spellings folded to American ones, so that "defence" meets "defense", "modernising"
# "modernize", "centre" "center", "labour" "labor": outlets of both kinds share a corpus, and a
# user types either. Applied to every word on both sides, so a word with no American twin
# ("promise" -> "promize") still meets itself.
_BRITISH = (
    (re.compile(r"(?<=[a-z]{2})(f|c)ence(s)?$"), r"\1ense\2"),  # defence, offence, licence
    (re.compile(r"(?<=[a-z]{3})is(e|ed|es|ing|ation|ations)$"), r"iz\1"),  # modernise
    (re.compile(r"(?<=[a-z]{2})ys(e|ed|es|ing)$"), r"yz\1"),  # analyse, paralyse
    (re.compile(r"(?<=[a-z]{3})our(s|ed|ing|ite|ites|able)?$"), r"or\1"),  # labour, favourite
    (re.compile(r"(?<=[a-z]{2})(t|b)re(s|d)?$"), r"\1er\2"),  # centre, metres, fibre
)


def _americanize(word: str) -> str:
    for pattern, repl in _BRITISH:
        word = pattern.sub(repl, word)
    return word


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix-stripping stem so "talks", "talked" and "talking" meet.

    Deliberately crude (no dictionary): it only has to map a question's word and a brief's word
    to the same key, not produce a real word ("rules", "ruled", "rule" -> "rul"). Short words
    and numbers are left alone.
    """
    if word in _IRREGULAR:
        word = _IRREGULAR[word]
    if len(word) <= 3 or not word.isalpha():
        return word
    word = _americanize(word)
    base, suffix = _strip(word)
    if suffix == "s" and base.endswith(("ing", "ed")):
        # A plural of a word that itself ends like a verb form meets its singular: "buildings"
        # and "building", "speeds" and "speed", "hundreds" and "hundred".
        base, _ = _strip(base)
    if len(base) > 3 and base.endswith("e"):
        base = base[:-1]
    if len(base) > 3 and base[-1] == base[-2] and base[-1].isalpha():
        base = base[:-1]  # "planned" -> "plan", "kills" -> "kil" like "kill"
    return base


def _strip(word: str) -> tuple[str, str]:
    """`word` without its inflectional suffix, and the suffix ("" when none comes off)."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break
            return word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else ""), suffix
    return word, ""


def stems(text: str) -> list[str]:
    """Stems of the content tokens of `text`, in order."""
    return [stem(t) for t in content_tokens(text)]
