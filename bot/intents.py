"""What a question asks for, and what a brief sentence offers. Pure, no state.

A question's intents ("overview", "quote", "number", "date", "who", "define", "why") are read
with the patterns below; a sentence's kind (holds a figure, a date, a quotation or reported
speech, a definition, a cause) with `has_number`, `has_date` and the sentence patterns. The
matcher boosts the sentences whose kind is what the question asks for (bot.match).
"""

from __future__ import annotations

import re
from collections.abc import Callable

_DIGIT = re.compile(r"\d")
# Figures in words ("two million", "dozens", "a third"), as `tokens` gives them.
# Not "one": mostly a pronoun ("one of his key demands"), and "one million" has "million".
_NUMBER_WORDS = frozenset(
    [
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "fifteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "hundred",
        "hundreds",
        "thousand",
        "thousands",
        "million",
        "millions",
        "billion",
        "billions",
        "trillion",
        "dozen",
        "dozens",
        "half",
        "third",
        "tenth",
        "quarter",
        "percent",
        "twice",
        "double",
    ]
)
_YEAR_OR_DATE = re.compile(
    r"\b(1[89]\d\d|20\d\d)\b|\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d"
    r"|\b\d{1,2}\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def has_number(text: str, words: list[str]) -> bool:
    """A figure in digits or in words ("two million", "dozens")."""
    return bool(_DIGIT.search(text)) or not _NUMBER_WORDS.isdisjoint(words)


# An amount of money: a currency sign or code next to a figure, or a figure of a currency.
_MONEY = re.compile(
    r"[$£€¥₹]\s?\d|\b(?:rs|inr|usd|eur|gbp|rmb)\.?\s?\d"
    r"|\d\s?(?:bn|m|billion|million|trillion|crore|lakh)?\s?"
    r"(?:dollars?|euros?|pounds?|rupees?|yen|yuan|roubles?|rubles?|francs?|pesos?)\b",
    re.IGNORECASE,
)
# A question asking what something costs: "how much will the reactors cost", "how much did
# Ask Jeeves pay", "the price of a Harley". Its answer is an amount of money, not any figure.
MONEY_INTENT = re.compile(
    r"\bhow much\b.*\b(?:cost|costs|costing|price|priced|pay|paid|paying|pays|spend|spent|"
    r"spending|worth|charge|charged|charges|fee|fees|salary|earn|earns|earned|invest|invested|"
    r"sell for|sold for|buy for|bought for|fined)\b"
    r"|\b(?:price|cost|fee|salary|value) of\b"
)


# A big figure in a sentence about money is an amount of it even without a currency
# ("mutual investments stand at about 38 billion"); "300 million articles" is not.
_SCALED = re.compile(r"\d\s?(?:bn|billion|trillion|million)\b", re.IGNORECASE)
_MONEY_WORDS = re.compile(
    r"\b(?:invest\w*|trade|worth|cost\w*|spend\w*|spent|budget\w*|deal|revenue\w*|profit\w*|"
    r"sales|price\w*|pay\w*|paid|fund\w*|aid|loan\w*|debt\w*|valued|value)\b",
    re.IGNORECASE,
)
# A share ("5 percent of national output") answers "how much should Europe spend" too.
_SHARE = re.compile(r"\d\s?(?:%|per ?cent\b)", re.IGNORECASE)


# "How old is X": an age ("64-year-old", "aged 44", "Zoya, 64,"), not any figure.
AGE_INTENT = re.compile(r"\bhow old\b|\bwhat age\b|\b(?:his|her|their) age\b")
_AGE = re.compile(
    r"\b\d{1,3}[- ]years?[- ]old\b|\baged? \d{1,3}\b|[A-Z][a-z]+, \d{1,3},|\bage of \d{1,3}\b"
)


def has_age(text: str) -> bool:
    """Someone's age: "the 64-year-old", "aged 44", "Zoya, 64, said"."""
    return bool(_AGE.search(text))


def has_money(text: str) -> bool:
    """An amount of money ("$1.75bn", "Rs 5,000 crore", "77m euros", "investments of about
    38 billion") or a share of one ("5 percent of national output")."""
    return bool(
        _MONEY.search(text)
        or _SHARE.search(text)
        or (_SCALED.search(text) and _MONEY_WORDS.search(text))
    )


def has_quantity(text: str, words: list[str]) -> bool:
    """A figure that counts something: `has_number` without the years and days of dates ("a
    standoff since 2020" gives no "how many")."""
    if not _NUMBER_WORDS.isdisjoint(words):
        return True
    return bool(_DIGIT.search(_YEAR_OR_DATE.sub(" ", text)))


MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
# Months as people and papers shorten them ("dec 2021", "Sept. 3") -> the month.
MONTH_ABBREVIATIONS = {m[:3]: m for m in MONTHS if len(m) > 3} | {"sept": "september"}
_MONTHS = frozenset(MONTHS) | frozenset(MONTH_ABBREVIATIONS)
# Words around a figure that say what it counts: "killed at least four people", "more than
# 10,000 troops to support Russian forces".
COUNTED_BEFORE = 3
COUNTED_AFTER = 4


# A year as the text writes it: "in 2000", not "2,000 people" (which `tokens` makes "2000").
# Where a clause ends: a comma before a space (not "2,000"), a semicolon, colon, bracket, dash
# or quotation mark.
_CLAUSE_BREAK = re.compile(r",\s|[;:()“”\"—–]")
_YEAR_WRITTEN = re.compile(r"(?<!\d)(?<!\d[,.])(?:1[89]|20)\d\d(?!\d|[,.]\d)")


def counted_words(
    text: str, tokenize: Callable[[str], list[str]], stopwords: frozenset[str]
) -> set[str]:
    """The content words standing next to a figure that counts something (not a year, not the
    day of a date), within its clause: what the sentence's figures are figures of. "How many
    nuclear weapons" is not answered by "10,000 troops", however near "nuclear" is.

    A few words before the figure ("killed at least four people") and after it, on through an
    "of" ("72,000 copies of the new Band Aid single"); a comma ends the clause ("Jordan and
    Egypt, two of the top recipients of U.S. aid" counts recipients, not Jordan).
    """
    found: set[str] = set()
    years = set(_YEAR_WRITTEN.findall(text))
    for clause in _CLAUSE_BREAK.split(text):
        words = tokenize(clause)
        for i, word in enumerate(words):
            if word in _NUMBER_WORDS:
                pass
            elif not _DIGIT.search(word) or word in years:
                continue
            elif i and words[i - 1] in _MONTHS:
                continue  # "aug 12"
            end = i + 1 + COUNTED_AFTER
            if "of" in words[i + 1 : end]:
                end = words.index("of", i + 1) + 1 + COUNTED_AFTER
            near = words[max(0, i - COUNTED_BEFORE) : i] + words[i + 1 : end]
            found.update(
                w
                for w in near
                if w not in stopwords and w not in _NUMBER_WORDS and not _DIGIT.search(w)
            )
    return found


def has_date(text: str) -> bool:
    """A year, a day of a month, or a weekday: what a "when" question wants to see."""
    if any(day in text for day in _WEEKDAYS):
        return True
    return bool(_DIGIT.search(text)) and bool(_YEAR_OR_DATE.search(text))


QUOTE_MARKS = re.compile(r"[\"“”]")
# Reported speech answers "what did X say" as well as a quotation does.
REPORTED = frozenset(
    [
        "said",
        "says",
        "told",
        "added",
        "stated",
        "warned",
        "asserted",
        "argued",
        "claimed",
        "insisted",
        "according",
        "noted",
        "wrote",
        "alluded",
        "explained",
        "stressed",
        "acknowledged",
        "admitted",
        "announced",
        "replied",
        "saying",
        # "Yuri Ushakov, Putin's foreign policy adviser, admitting that ...": speech reported
        # in a participle.
        "admitting",
        "adding",
        "noting",
        "warning",
        "insisting",
        "claiming",
        "arguing",
        "stressing",
        "acknowledging",
        "explaining",
    ]
)
# Sentences that say what something is: "the ELN, a Marxist group", "X is a ...".
DEFINES = re.compile(
    r"\b(is|was|are|were) (a|an|the)\b|\b([Kk]nown as|[Bb]orn as|refers to|"
    r"stands for|set up|[Ff]ounded|[Ee]stablished)\b"
)
ABBREVIATION = re.compile(
    r"((?:[A-Z][\w’'-]+\s+(?:(?:of|for|the|and|on|in)\s+)*){2,})\((?:the\s+)?([A-Z]{2,8})\)"
)
OVERVIEW = re.compile(
    r"\b(brief me|briefing|brief on|overview|summary|summari[sz]e|sum up|catch me up|"
    r"fill me in|rundown|run down|lowdown|recap|background|big picture|"
    r"what'?s (?:going on|happening|up|the story|the deal|new)|"
    r"what is (?:going on|happening|the story)|tell me about|update me|bring me up to speed|"
    r"anything on|everything on|latest on|news on|updates? on|explain)\b"
)
QUOTE_INTENT = re.compile(
    r"\b(say|says|said|saying|quote|quoted|told|tell(?! me\b| us\b)|claim|claimed|comment|comments|"
    r"remark|remarks|statement|stated|according|react|reaction|respond|response|think|thinks|"
    r"view|views|position|stance|warn|warned|called)\b"
    # "what did Trump call the offer": his words for it, not a phone call.
    r"|^what (?:did|does|do) .+ call\b"
)
NUMBER_INTENT = re.compile(
    r"\b(how many|how much|how long|how big|how large|how far|how old|number|numbers|percent|percentage|cost|costs|worth|price|"
    r"figure|figures|total|toll|amount|count|size|billion|million|estimate|estimated)\b"
)
# A count asked for: answered by a quantity, not by a year ("how many troops ... since 2020").
COUNT_INTENT = re.compile(
    r"\bhow (many|much)\b|\b(number|price|cost|value|population|size|amount) of\b"
)
# "when" opens a date question; inside one ("killed when a missile hit") it does not.
DATE_INTENT = re.compile(
    r"^(when|since when|until when)\b|\b(what|which) (date|year|day|month|time)\b"
    r"|\b(since|until) when\b|^(on )?what (date|day)\b"
)
# A date question about what is still to come: "when will ...", "when is X visiting ...", "the
# next summit".
FUTURE_QUESTION = re.compile(
    r"\bwhen (will|shall)\b|\bwhen (is|are)\b.*\b\w+ing\b|\b(next|upcoming)\b"
)
# A sentence telling of what is still to come.
FUTURE = re.compile(
    r"\b(will|would|shall|plans? to|planned|planning|scheduled|expected to|set to|due to|next|"
    r"upcoming|later this|is to|are to)\b",
    re.IGNORECASE,
)
# The verbs of "what did X say": X, the name before the verb, is whose words are asked for
# ("according to X": the name after it). Not "think" or "position": "why does Moscow think the
# offer is a trap" asks why, not for Moscow's words.
SPEECH_VERB = re.compile(
    r"\b(say|says|said|saying|tell(?! me\b| us\b)|tells|told|quote|quoted|comment|comments|"
    r"remark|remarks|"
    r"claim|claimed|react|reaction|respond|warn|warned|call|calls|called)\b"
)
ACCORDING_TO = re.compile(r"\baccording to\b")
# Words that belong to the question's form, not its subject: "how LONG was Fogel held",
# "according to Putin" (whose words are asked for, not an "accord").
HOW = re.compile(r"\bhow (many|much|long|big|large|far|old|often|soon)\b")
# "what YEAR was the ICC created": the noun names the kind of date asked for, not its subject.
WHEN_FORM = re.compile(r"\b(?<=what |hich )(?:date|year|day|month|time)\b")
# "why did ...", "what is the reason for ...": asks for a cause or a purpose.
WHY_INTENT = re.compile(
    r"^(?:but |so |and )?(?:why|how come)\b|\b(?:reason|reasons|cause|caused) (?:for|of|behind)\b"
)
# A sentence giving a cause or a purpose: "because of possible malfunctions", "blamed the
# closures on", "attributed the drop to", "due to her fear of flying", "needed to fund".
REASON = re.compile(
    r"\b(?:because|due to|owing to|thanks to|as a result|in order to|so that|blamed|blames|"
    r"blaming|attributed|attributes|citing|cited|reason|reasons|caused by|prompted|"
    r"driven by|fuelled by|fueled by|amid|after it emerged|for fear|fear of|fears of|"
    r"needed to|aimed at|in a bid to|as part of|over concerns?|concerns? over|worried that|"
    r"worries that|fears that)\b",
    re.IGNORECASE,
)
WHO_INTENT = re.compile(r"\b(who|whom|whose|which leader|which official)\b")
DEFINE_INTENT = re.compile(r"^(what|who)('s| is| are| was| were) |^(whats|whos) ")
# "novorossia meaning", "what does ELN stand for": a definition asked in other words. The cue
# is the question's form, not its subject, and is dropped from its terms.
MEANING = re.compile(r"\b(meaning|mean|means|definition|stand for|stands for)\b")
# Small talk before the question proper, dropped so that "hey, when did ..." reads as a "when"
# question ("when" opens a date question).
# Shorthand typed on phones, read as the words it stands for when the briefs do not use it
# themselves ("how many ppl died", "y is russia ...", "this yr").
SHORTHAND = {
    "abt": "about",
    "b4": "before",
    "bc": "because",
    "bn": "billion",
    "cud": "could",
    "cuz": "because",
    "dept": "department",
    "govt": "government",
    "gov": "government",
    "intl": "international",
    "mn": "million",
    "n": "and",
    "pls": "please",
    "plz": "please",
    "ppl": "people",
    "r": "are",
    "shud": "should",
    "tho": "though",
    "tmr": "tomorrow",
    "tmrw": "tomorrow",
    "u": "you",
    "ur": "your",
    "w": "with",
    "wen": "when",
    "wer": "were",
    "wud": "would",
    "wat": "what",
    "wht": "what",
    "whr": "where",
    "y": "why",
    "yr": "year",
    "yrs": "years",
}
SMALL_TALK = re.compile(
    r"^(?:(?:hey|hi|hello|yo|ok|okay|so|um|quick|question|questions|i|i've|was|am|have|got|a|"
    r"another|one|more|wondering|curious|do|you|"
    r"know|can|could|would|u|please|pls|plz|bot|and"
    r"|tell me(?= (?:what|when|who|how|why|where|which|if|whether)\b))\b[\s,.:!-]*)+(?=\w)"
)
# Single words that say what is asked, for typo correction of the question's form.
CUE_WORDS = (
    "overview",
    "summary",
    "summarize",
    "summarise",
    "briefing",
    "background",
    "rundown",
    "explain",
    "meaning",
    "definition",
    "percentage",
    "estimate",
)
# Overview phrases and question scaffolding dropped before a question is compared with titles.
SCAFFOLD = frozenset(
    {"brief", "briefing", "overview", "summary", "summarize", "summarise", "recap"}
)
