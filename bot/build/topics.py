"""Articles -> topics, discovered from the corpus itself (stage 4 of the build).

No topic is named in code. Each article becomes a TF-IDF vector over the stems of its headline
and paragraphs; articles are grouped by average-linkage agglomerative clustering on cosine
similarity, merging while the two closest groups are, on average, more similar than
`cluster_threshold`. Average linkage keeps a group together only when most of its members share
vocabulary, so two outlets' copies of one story meet ("Kursk", "Sudzha", "civilians"), while a
single shared word ("Putin") does not chain unrelated stories into one blob. Before that, a
page that runs a headless second story on after an article is cut in two where lexical
cohesion drops (bot/build/shift.py).

Then, paragraph by paragraph, a paragraph that is plainly about another topic (far closer to
that topic's centroid than to its own article's) moves there, so an article that mixes subjects
feeds more than one topic. A group becomes a topic only with real substance: at least
`min_topic_sentences` informative sentences; the number of topics follows the corpus, up to
the safety cap `max_topics`, and a group that makes no topic joins the nearest topic when it is
close, so its articles still feed a brief. Its slug comes from its most distinctive terms (the
same corpus always gives the same slugs) and its title is the headline of its most central
article. Finally config.yaml's `topics` section is applied: merge, rename, then pin.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.build.article import Article, Paragraph
from bot.build.sentences import split_sentences
from bot.build.shift import split_all
from bot.config import BuildConfig, TopicsConfig
from bot.errors import BuildError
from bot.text import content_tokens, normalize, stem

Matrix = npt.NDArray[np.float32]


@dataclass(frozen=True, kw_only=True)
class Passage:
    """One paragraph of one article, as a topic holds it."""

    article: Article
    paragraph: Paragraph

    @property
    def order(self) -> tuple[str, int]:
        """Corpus order: file, then line."""
        return (self.article.file, self.paragraph.line)


@dataclass(frozen=True, kw_only=True)
class Topic:
    slug: str
    title: str
    passages: tuple[Passage, ...]  # in corpus order
    terms: tuple[str, ...]  # distinctive words, most distinctive first
    pinned: bool = False


@dataclass(frozen=True, kw_only=True)
class TopicSet:
    topics: tuple[Topic, ...]  # largest first
    idf: dict[str, float]  # stem -> inverse document frequency over the articles
    unassigned: int  # articles that feed no topic
    # Stories found running on inside another article (a page with no break between them).
    split_off: int = 0


@dataclass(frozen=True, kw_only=True)
class TopicOptions:
    cluster_threshold: float
    min_topic_sentences: int
    max_topics: int

    @classmethod
    def from_config(cls, build: BuildConfig) -> TopicOptions:
        return cls(
            cluster_threshold=build.cluster_threshold,
            min_topic_sentences=build.min_topic_sentences,
            max_topics=build.max_topics,
        )


# Sentences shorter than this many words are headings, captions or fragments, not substance.
MIN_SENTENCE_WORDS = 6
# A paragraph moves to another topic only if it is at least this similar to it ...
MOVE_MIN_SIMILARITY = 0.2
# ... and this many times more similar to it than to its own topic.
MOVE_RATIO = 2.0
# A group too small to be a topic joins the nearest topic only if at least this similar.
ATTACH_MIN_SIMILARITY = 0.1
_SLUG_WORD = re.compile(r"[^a-z0-9]+")


def terms(text: str) -> list[str]:
    """The stems clustering and ranking work on: content words, no bare numbers."""
    return _stems(content_tokens(text))


def _weigh(
    articles: Sequence[Article],
) -> tuple[list[list[list[str]]], list[Counter[str]], dict[str, float]]:
    """Per article its tokens (headline first, then each paragraph) and its bag of stems, and
    the IDF of the stems over the articles."""
    tokens = [
        [content_tokens(a.title), *(content_tokens(p.text) for p in a.paragraphs)] for a in articles
    ]
    bags = [_article_bag(t) for t in tokens]
    return tokens, bags, _idf(bags)


def split_stories(articles: Sequence[Article]) -> list[Article]:
    """`articles` with the stories a page ran together told apart (bot.build.shift), weighed
    as `discover_topics` weighs them."""
    proper = proper_names(articles)
    return split_all(articles, terms, _weigh(articles)[2], lambda text: names_in(text, proper))


def _stems(tokens: Iterable[str]) -> list[str]:
    return [stem(t) for t in tokens if len(t) > 2 and not t.isdigit()]


def informative(sentence: str) -> bool:
    """A sentence that can stand in a brief: long enough and ending like a sentence."""
    words = sentence.split()
    end = sentence.rstrip()
    if end.endswith(("...", "…")):
        return False  # a snippet cut short by a listing page
    return len(words) >= MIN_SENTENCE_WORDS and end[-1:] in ".!?”\"’)'"


def discover_topics(
    articles: Sequence[Article], options: TopicOptions, config: TopicsConfig
) -> TopicSet:
    """Cluster `articles` into topics, then apply config.yaml's merge, rename and pin."""
    articles = sorted(articles, key=lambda a: (a.file, a.first_line))
    distinct = len(articles)
    if not articles:
        return TopicSet(topics=(), idf={}, unassigned=0)
    tokens, bags, idf = _weigh(articles)
    proper = proper_names(articles)
    parts = split_all(articles, terms, idf, lambda text: names_in(text, proper))
    if len(parts) != len(articles):  # a page ran two stories together: weigh the parts
        articles = parts
        tokens, bags, idf = _weigh(articles)
        proper = proper_names(articles)
    vocab = {t: i for i, t in enumerate(sorted(idf))}
    matrix = _tfidf_matrix(bags, vocab, idf)
    groups = cluster(matrix, options.cluster_threshold)
    surface = _surface_forms(tokens)
    topics = _topics_from_groups(
        articles, tokens, bags, groups, matrix, vocab, idf, surface, proper, options
    )
    topics = apply_config(topics, articles, config)
    used = {p.article.id for t in topics for p in t.passages}
    return TopicSet(
        topics=tuple(topics),
        idf=idf,
        unassigned=sum(a.id not in used for a in articles),
        split_off=len(articles) - distinct,
    )


def _article_bag(tokens: list[list[str]]) -> Counter[str]:
    bag = Counter(_stems(tokens[0]))
    for term in bag:
        bag[term] *= 2  # a headline says what the article is about
    for para in tokens[1:]:
        bag.update(_stems(para))
    return bag


def _idf(bags: Sequence[Counter[str]]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(bags)
    # No "+1" floor: in a corpus of world news, "Russia" or "Trump" in most articles must not
    # make unrelated stories look alike; a word in every article weighs almost nothing.
    return {t: math.log((n + 1) / (d + 0.5)) for t, d in df.items()}


def _vector(bag: Counter[str], vocab: dict[str, int], idf: dict[str, float]) -> Matrix:
    vec = np.zeros(len(vocab), dtype=np.float32)
    for term, count in bag.items():
        i = vocab.get(term)
        if i is not None:
            vec[i] = (1.0 + math.log(count)) * idf[term]
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm else vec


def _tfidf_matrix(
    bags: Sequence[Counter[str]], vocab: dict[str, int], idf: dict[str, float]
) -> Matrix:
    matrix = np.zeros((len(bags), len(vocab)), dtype=np.float32)
    for row, bag in enumerate(bags):
        matrix[row] = _vector(bag, vocab, idf)
    return matrix


def cluster(matrix: Matrix, threshold: float) -> list[list[int]]:
    """Average-linkage agglomerative clustering of the rows of `matrix` (unit vectors).

    Merges the two most similar groups while their average pairwise cosine similarity is at
    least `threshold`. Groups come back as sorted row lists, ordered by their first row, so
    the result depends only on the input.
    """
    n = matrix.shape[0]
    # Rounded so that last-bit differences between BLAS builds cannot change a merge: the
    # committed briefs must come out byte-identical on any machine.
    sim = np.round((matrix @ matrix.T).astype(np.float64), 6)
    np.fill_diagonal(sim, -np.inf)
    sizes = np.ones(n)
    alive = np.ones(n, dtype=bool)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    while alive.sum() > 1:
        flat = int(np.argmax(sim))  # first maximum: ties break by position, deterministically
        i, j = divmod(flat, n)
        if sim[i, j] < threshold:
            break
        i, j = min(i, j), max(i, j)
        # Lance-Williams update for average linkage: the new group's similarity to every other
        # group is the size-weighted mean of the two old groups' similarities.
        merged = (sizes[i] * sim[i] + sizes[j] * sim[j]) / (sizes[i] + sizes[j])
        sim[i] = merged
        sim[:, i] = merged
        sim[i, i] = -np.inf
        sim[j] = -np.inf
        sim[:, j] = -np.inf
        sizes[i] += sizes[j]
        alive[j] = False
        members[i] += members.pop(j)
    return sorted((sorted(m) for m in members.values()), key=lambda m: m[0])


_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")


def proper_names(articles: Sequence[Article]) -> set[str]:
    """Lowercased words the corpus writes with a capital inside sentences: names of people,
    places and bodies ("kursk", "modi", "nato"), told apart from ordinary words by usage."""
    capital: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for article in articles:
        for para in article.paragraphs:
            for match in _WORD.finditer(para.text):
                before = para.text[: match.start()].rstrip()
                if not before or before[-1] in ".!?:\"“‘'—":
                    continue  # a sentence's first word is capitalised whatever it is
                word = match.group(0)
                key = word.lower()
                total[key] += 1
                capital[key] += word[0].isupper()
    return {w for w, n in total.items() if capital[w] >= 0.7 * n}


def names_in(text: str, proper: set[str]) -> set[str]:
    """The words of `text` that `proper_names` found to be names, lowercased."""
    return {w for m in _WORD.finditer(text) if (w := m.group(0).lower()) in proper}


def slug_words(
    key_terms: Sequence[str], proper: set[str], headlines: Iterable[str] = ()
) -> list[str]:
    """Words for a slug: the topic's leading names, then its key word, then the rest.

    A name leads only if it is among the topic's eight most distinctive words (a name far down
    the list says little of the story); those in the top five come first, and among them those
    the headlines use:
    "india-ukraine-frustrate" rather than a quoted analyst in "india-peri-frustrate". Month and weekday names are capitalised but name no subject.
    "india" and "indian" (or "korea", "korean") are one word said twice, so a word sharing its
    first five letters with a chosen one is skipped.
    """
    distinct: list[str] = []
    for word in key_terms:
        if not any(word[:5] == w[:5] for w in distinct):
            distinct.append(word)
    top = distinct[:SLUG_TOP_TERMS]
    titled = {w for h in headlines for w in content_tokens(h)}
    near = [t for t in distinct[:SLUG_NEAR_TERMS] if t in proper and t not in _CALENDAR]
    names = sorted(near, key=lambda t: (t not in top, t not in titled, near.index(t)))
    common = [t for t in distinct if t not in names]
    # The key word: the leading ordinary word, if it is distinctive; else one more name.
    key = common[:1] if common and common[0] in top else []
    lead = [*names[:2], *key]
    rest = [t for t in [*names[2:], *common, *distinct] if t not in lead]
    out: list[str] = []
    for word in [*lead, *rest]:
        if word not in out:
            out.append(word)
    return out


# A slug draws its names and key word from this many of the topic's most distinctive words.
SLUG_TOP_TERMS = 5
# ... and names, those of the top five first, from this many.
SLUG_NEAR_TERMS = 8
_CALENDAR = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday",
}  # fmt: skip


def _surface_forms(tokens: list[list[list[str]]]) -> dict[str, str]:
    """stem -> the word it most often stands for in the corpus ("kil" -> "killed")."""
    seen: dict[str, Counter[str]] = {}
    for article in tokens:
        for part in article:
            for token in part:
                seen.setdefault(stem(token), Counter())[token] += 1
    return {s: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for s, c in seen.items()}


def _topics_from_groups(
    articles: Sequence[Article],
    tokens: list[list[list[str]]],
    bags: list[Counter[str]],
    groups: list[list[int]],
    matrix: Matrix,
    vocab: dict[str, int],
    idf: dict[str, float],
    surface: dict[str, str],
    proper: set[str],
    options: TopicOptions,
) -> list[Topic]:
    centroids = np.stack([_unit(matrix[g].mean(axis=0)) for g in groups])
    # Term-major copy: a paragraph's few terms pick rows, which is fast.
    by_term = np.ascontiguousarray(centroids.T)
    owner = np.zeros(len(articles), dtype=int)
    for k, group in enumerate(groups):
        owner[group] = k
    # Paragraphs go to their article's group unless plainly about another group.
    passages: list[list[Passage]] = [[] for _ in groups]
    for a, article in enumerate(articles):
        for para, para_tokens in zip(article.paragraphs, tokens[a][1:], strict=True):
            k = _paragraph_home(para_tokens, int(owner[a]), by_term, vocab, idf)
            passages[k].append(Passage(article=article, paragraph=para))
    # Rank groups by substance, keep the ones that can make a brief.
    # A story many outlets covered comes before one long article.
    ranked: list[tuple[int, int, int]] = []
    for k, group in enumerate(groups):
        size = _substance(passages[k])
        if size >= options.min_topic_sentences:
            ranked.append((k, len(group), size))
    ranked.sort(key=lambda r: (-r[1], -r[2], groups[r[0]][0]))
    ranked = ranked[: options.max_topics]
    _attach_leftovers(passages, [r[0] for r in ranked], groups, centroids)
    topics: list[Topic] = []
    used: set[str] = set()
    for k, _articles, _size in ranked:
        group = groups[k]
        key_terms = _key_terms(
            [bags[i] for i in group], [set(_stems(tokens[i][0])) for i in group], idf, surface
        )
        central = max(
            group, key=lambda i: (_title_fit(articles[i].title, matrix[i] @ centroids[k]), -i)
        )
        slug = _unique_slug(slug_words(key_terms, proper, (articles[i].title for i in group)), used)
        used.add(slug)
        topics.append(
            Topic(
                slug=slug,
                # A page without a headline still gets a readable title: its key words.
                title=readable_title(articles[central].title)
                or " ".join(w.capitalize() for w in key_terms[:3]),
                passages=tuple(sorted(passages[k], key=lambda p: p.order)),
                terms=tuple(key_terms[:12]),
            )
        )
    return topics


def _attach_leftovers(
    passages: list[list[Passage]], kept: list[int], groups: list[list[int]], centroids: Matrix
) -> None:
    """Give the passages of groups that make no topic (too little to say, or past
    max_topics) to the nearest kept topic, if it is close enough, so their articles still
    feed a brief. A short item on an otherwise uncovered story stays out rather than
    muddle an unrelated brief."""
    if not kept:
        return
    kept_set = set(kept)
    rows = centroids[kept]
    for k in range(len(groups)):
        if k in kept_set or not passages[k]:
            continue
        sims = np.round(rows @ centroids[k], 6)
        best = int(np.argmax(sims))
        if sims[best] >= ATTACH_MIN_SIMILARITY:
            passages[kept[best]].extend(passages[k])
            passages[k] = []


# Headlines longer than this read badly as a topic title ("End to Russia-Ukraine war? After
# PM Modi, NSA Ajit Doval to visit Russia this week; to discuss peace talks").
TITLE_CHARS = 80


def readable_title(headline: str) -> str:
    """The headline as a title; one shouted in capitals gets ordinary capitals."""
    title = " ".join(headline.split())
    if title.isupper():
        title = " ".join(w[:1] + w[1:].lower() for w in title.split())
    return title


def _title_fit(title: str, centrality: float) -> float:
    """How well a headline names its topic: central, and short enough to read as a title."""
    return round(float(centrality) * (1.0 if len(title) <= TITLE_CHARS else 0.8), 6)


def _unit(vec: npt.NDArray[np.floating]) -> Matrix:
    norm = float(np.linalg.norm(vec))
    out = vec / norm if norm else vec
    return out.astype(np.float32)


def _paragraph_home(
    tokens: list[str], own: int, by_term: Matrix, vocab: dict[str, int], idf: dict[str, float]
) -> int:
    """The group a paragraph belongs to: its article's, unless plainly another's."""
    bag = Counter(_stems(tokens))
    if by_term.shape[1] < 2 or sum(bag.values()) < 8:
        return own
    idx = [vocab[t] for t in bag if t in vocab]
    if not idx:
        return own
    weights = np.array(
        [(1.0 + math.log(bag[t])) * idf[t] for t in bag if t in vocab], dtype=np.float32
    )
    weights /= float(np.linalg.norm(weights))
    sims = np.round(weights @ by_term[idx], 6)
    best = int(np.argmax(sims))
    if (
        best != own
        and sims[best] >= MOVE_MIN_SIMILARITY
        and sims[best] >= MOVE_RATIO * max(float(sims[own]), 0.0)
    ):
        return best
    return own


def _substance(passages: Iterable[Passage]) -> int:
    """Distinct informative sentences: what a topic has to say."""
    seen: set[str] = set()
    for p in passages:
        for s in split_sentences(p.paragraph.text):
            if informative(s):
                seen.add(" ".join(s.split()))
    return len(seen)


def _key_terms(
    bags: Sequence[Counter[str]],
    headlines: Sequence[set[str]],
    idf: dict[str, float],
    surface: dict[str, str],
) -> list[str]:
    """The group's words, most characteristic first: frequent in it, rare elsewhere, shared,
    and above all in its headlines.

    Raw counts (not the damped ones used for similarity) so the story's recurring names lead
    ("trump", "modi") rather than a word used once; a word of the headlines counts up to three
    times as much, since a headline says what the story is about where a quoted analyst's
    name, however often repeated, does not.
    """
    total: Counter[str] = Counter()
    members: Counter[str] = Counter()
    for bag in bags:
        total.update(bag)
        members.update(bag.keys())
    titled: Counter[str] = Counter()
    for headline in headlines:
        titled.update(headline)
    n = len(bags)
    score = {
        t: total[t] * idf.get(t, 0.0) * members[t] / n * (1.0 + 2.0 * titled[t] / n) for t in total
    }
    ranked = sorted(score, key=lambda t: (-round(score[t], 6), t))
    out: list[str] = []
    for term in ranked[:40]:
        word = surface.get(term, term)
        if word not in out:
            out.append(word)
    return out


def slugify(text: str) -> str:
    return _SLUG_WORD.sub("-", normalize(text).replace("'", "")).strip("-")


def _unique_slug(key_terms: list[str], used: set[str]) -> str:
    words = [w for w in (slugify(t) for t in key_terms) if w]
    if not words:
        words = ["topic"]
    slug = "-".join(words[:3])
    for extra in words[3:6]:
        if slug not in used:
            break
        slug = f"{slug}-{extra}"
    base, n = slug, 2
    while slug in used:
        slug, n = f"{base}-{n}", n + 1
    return slug


def apply_config(
    topics: list[Topic], articles: Sequence[Article], config: TopicsConfig
) -> list[Topic]:
    """config.yaml's topics section: merge, then rename, then pin. Unknown slugs are errors."""
    by_slug = {t.slug: t for t in topics}
    for i, merge in enumerate(config.merge):
        _require(by_slug, merge.sources, f"topics.merge[{i}].sources")
        parts = [by_slug.pop(s) for s in merge.sources]
        if merge.into in by_slug and merge.into not in merge.sources:
            parts.append(by_slug.pop(merge.into))
        largest = max(parts, key=lambda t: len(t.passages))
        passages = {(p.article.id, p.paragraph.line): p for t in parts for p in t.passages}
        by_slug[merge.into] = Topic(
            slug=merge.into,
            title=merge.title or largest.title,
            passages=tuple(sorted(passages.values(), key=lambda p: p.order)),
            terms=largest.terms,
        )
    _require(by_slug, tuple(config.rename), "topics.rename")
    for slug, title in config.rename.items():
        t = by_slug[slug]
        by_slug[slug] = Topic(slug=slug, title=title, passages=t.passages, terms=t.terms)
    for i, pin in enumerate(config.pin):
        keys = [normalize(k) for k in pin.keywords]
        found = [
            Passage(article=a, paragraph=p)
            for a in articles
            for p in a.paragraphs
            if any(_contains_phrase(normalize(p.text), k) for k in keys)
        ]
        if not found:
            raise BuildError(
                f"config.yaml: topics.pin[{i}].keywords: no paragraph of the seeds mentions "
                f"{', '.join(pin.keywords)}; change the keywords or remove the pin"
            )
        by_slug[pin.slug] = Topic(
            slug=pin.slug,
            title=pin.title,
            passages=tuple(sorted(found, key=lambda p: p.order)),
            terms=tuple(pin.keywords),
            pinned=True,
        )
    # Largest first, as discovered; merged and pinned topics take their place by size.
    return sorted(by_slug.values(), key=lambda t: (-len(t.passages), t.slug))


def _require(by_slug: dict[str, Topic], slugs: Iterable[str], where: str) -> None:
    for slug in slugs:
        if slug not in by_slug:
            known = ", ".join(sorted(by_slug)) or "none"
            raise BuildError(
                f"config.yaml: {where}: no topic {slug!r} in this build; the topics are: {known}"
            )


def _contains_phrase(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None
