"""Words as the relatedness scorer and search highlighting see them: folded, stopped, stemmed.

One tokenizer for both, so "ferries" in a query marks "ferry" in a snippet, and a headline about
"councillors" relates to one about "councillor". The stemmer is a deliberately light suffix
stripper (plurals, -ing, -ed, -ly …): it must be fast on 100,000 articles and predictable, not
linguistically perfect. Database full-text search uses its own stemmer (Porter / Snowball).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

_WORD = re.compile(r"[^\W\d_]+")

# Function words and newsroom filler that say nothing about what a story is about.
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "almost",
        "also",
        "although",
        "always",
        "am",
        "among",
        "an",
        "and",
        "another",
        "any",
        "are",
        "around",
        "as",
        "at",
        "away",
        "back",
        "be",
        "became",
        "because",
        "become",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "came",
        "can",
        "cannot",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "down",
        "during",
        "each",
        "either",
        "else",
        "even",
        "ever",
        "every",
        "few",
        "for",
        "from",
        "further",
        "get",
        "gets",
        "getting",
        "give",
        "given",
        "go",
        "going",
        "gone",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "however",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "last",
        "later",
        "least",
        "less",
        "let",
        "like",
        "made",
        "make",
        "makes",
        "many",
        "may",
        "me",
        "might",
        "more",
        "most",
        "much",
        "must",
        "my",
        "myself",
        "near",
        "need",
        "never",
        "new",
        "next",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "often",
        "on",
        "once",
        "one",
        "only",
        "onto",
        "or",
        "other",
        "others",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "per",
        "perhaps",
        "put",
        "rather",
        "really",
        "said",
        "same",
        "say",
        "says",
        "see",
        "seen",
        "several",
        "shall",
        "she",
        "should",
        "since",
        "so",
        "some",
        "still",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "thing",
        "things",
        "this",
        "those",
        "though",
        "through",
        "thus",
        "till",
        "to",
        "too",
        "took",
        "toward",
        "towards",
        "two",
        "under",
        "until",
        "up",
        "upon",
        "us",
        "use",
        "used",
        "very",
        "via",
        "was",
        "way",
        "we",
        "well",
        "went",
        "were",
        "what",
        "whatever",
        "when",
        "where",
        "whether",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "year",
        "years",
        "yet",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "told",
        "tell",
        "asked",
        "week",
        "weeks",
        "day",
        "days",
        "time",
    ]
)

MIN_LENGTH = 3
MAX_LENGTH = 40  # longer "words" are noise (URLs, hashes) and would not fit the index column


def fold(text: str) -> str:
    """Lowercase, without accents: 'Café' and 'cafe' are the same word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light English suffix stripper: councillors → councillor, ferries → ferry, voting → vot."""
    if len(word) <= 3:
        return word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: len(word) - len(suffix)] + replacement
            break
    if len(word) > 3 and word[-1] == "e":
        word = word[:-1]  # vote, votes, voted, voting → vot
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]  # stopped → stopp → stop
    return word


# (suffix, replacement): the first match wins, so longer suffixes come first.
_SUFFIXES = (
    ("ements", ""),
    ("ement", ""),
    ("ments", ""),
    ("ment", ""),
    ("ingly", ""),
    ("edly", ""),
    ("ness", ""),
    ("ies", "y"),
    ("ied", "y"),
    ("sses", "ss"),
    ("ings", ""),
    ("ing", ""),
    ("ed", ""),
    ("ly", ""),
    ("es", ""),
    ("ss", "ss"),
    ("us", "us"),
    ("is", "is"),
    ("s", ""),
)


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order, before stopping and stemming."""
    return _WORD.findall(fold(text))


def terms(text: str) -> list[str]:
    """Index terms: folded, stemmed words of at least three letters that are not stopwords."""
    return [
        stem(word)
        for word in _WORD.findall(fold(text))
        if MIN_LENGTH <= len(word) <= MAX_LENGTH and word not in STOPWORDS
    ]


def term_counts(*fields: tuple[str, int]) -> Counter[str]:
    """Term frequencies over ``(text, boost)`` fields: a word in a title counts more than in the body."""
    counts: Counter[str] = Counter()
    for text, boost in fields:
        for term in terms(text):
            counts[term] += boost
    return counts
