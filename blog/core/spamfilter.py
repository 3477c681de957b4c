"""The learning spam filter: text normalisation, features, and a naive Bayes score over counts.

Pure: the service keeps the counts (the shipped seed corpus plus what the editors' decisions taught, in the
database) and hands them in. The model is counts of features per class — never the comments' texts — so
deleting a comment (retention, erasure) takes nothing away from what the filter learned.

Normalisation sees through the usual disguises before anything is counted: Unicode NFKC (fullwidth letters
become ASCII), zero-width and other invisible characters removed, words that mix scripts folded to their Latin
skeleton (Unicode's confusables data as packaged by ``confusable_homoglyphs``, reduced to a small table that
ships with the site: blog/data/confusables_latin.json), leetspeak folded, letters spaced apart
joined, spintax braces opened, and every address reduced to its registrable domain (the Public Suffix List as
packaged by ``publicsuffixlist``: its ICANN section, never a download). Each disguise also leaves a marker
feature behind (``~zerowidth``, ``~mixedscript`` …): genuine commenters rarely use any of them.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

# Counts of the documents of each class seen, under a name no feature can take (features never start with "#").
DOCUMENTS = "#documents"
MAX_FEATURE = 64  # characters; longer features are cut (a stored key)
MAX_FEATURES = 1500  # per comment: a very long body teaches (and weighs) no more than this many distinct features
CHAR_WEIGHT = 0.25  # a character n-gram counts for this much of a word: they overlap, naive Bayes would overcount
STRENGTH = 1.0  # how many comments' worth of evidence a feature needs before its counts outweigh "neutral"
CLAMP = 4.0  # no single feature moves the log-odds by more than this
# A feature of the seed corpus seen in only one of its comments is left out: two in three of its features are such
# (a rare word, a name, a website's fragment), they weigh little once pulled towards neutral (STRENGTH), and they
# were most of its memory (58,000 features for 1,807 comments, 18,000 kept). Measured: the same figures without them.
SEED_MIN_COMMENTS = 2

_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]"
)
_FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'\])]+", re.IGNORECASE)
_BARE_DOMAIN = re.compile(r"(?<![:\w.@/-])(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/[^\s<>\"'\])]*)?", re.IGNORECASE)
_BBCODE = re.compile(r"\[/?(?:url|b|i|u|img|link|color|size)(?:=[^\]]*)?\]", re.IGNORECASE)
_MD_LINK = re.compile(r"\[[^\]\n]{1,200}\]\((?:https?://|www\.)[^)\s]+\)", re.IGNORECASE)
_SPINTAX = re.compile(r"\{([^{}|\n]{1,80}(?:\|[^{}|\n]{1,80})+)\}")
_SPACED = re.compile(r"(?<!\w)(?:\w[ \t]){2,}\w(?!\w)|(?<![\w.])(?:\w\.){3,}\w(?![\w.])")  # s p a c e d, d.o.t.t.e.d
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_LEET = str.maketrans({"4": "a", "@": "a", "3": "e", "1": "i", "0": "o", "5": "s", "$": "s", "7": "t"})
# Link shorteners hide where a link leads; genuine commenters on a news site link to the page itself.
SHORTENERS = frozenset(
    [
        "bit.ly",
        "bitly.com",
        "tinyurl.com",
        "is.gd",
        "v.gd",
        "t.co",
        "goo.gl",
        "ow.ly",
        "buff.ly",
        "cutt.ly",
        "rb.gy",
        "shorturl.at",
        "tiny.cc",
        "t.ly",
        "rebrand.ly",
        "bl.ink",
        "s.id",
        "shorte.st",
        "adf.ly",
        "bc.vc",
        "ouo.io",
        "clck.ru",
        "qr.ae",
        "lnkd.in",
        "trib.al",
    ]
)
_LEET_WORD = re.compile(r"(?<![\w@$])(?=[\w@$]*[a-z])(?=[\w@$]*[4@3105$7])[\w@$]{3,}")


# The suffix list (about 1.5 MiB) is loaded by the first comment a process scores, not at import: a command that
# scores nothing never pays for it (a server loads it once, in the master's warm-up: blog/wsgi.py).
@functools.cache
def _suffixes() -> PublicSuffixList:
    from publicsuffixlist import PublicSuffixList

    # ICANN's suffixes only (blogspot.com is one site, as a reader sees it); an unknown ending is no domain.
    return PublicSuffixList(only_icann=True, accept_unknown=False)


def _host(address: str) -> str:
    text = address.strip().lower()
    try:
        host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    except ValueError:  # e.g. a bracketed host that is no IPv6 address
        return ""
    return host.rstrip(".,;:!?")  # "… at www.example.com, limited rooms left!"


@functools.cache
def _look_alikes() -> dict[str, str]:
    """Non-ASCII characters that look like an ASCII letter or digit (Unicode's confusables data, reduced by
    tests/data/make_confusables.py to the 1,300 or so that matter here)."""
    text = resources.files("blog").joinpath("data/confusables_latin.json").read_text(encoding="utf-8")
    table: dict[str, str] = json.loads(text)
    return table


def _script(char: str) -> str:
    return unicodedata.name(char, "").partition(" ")[0]  # "LATIN", "CYRILLIC", "GREEK" …


def registrable_domain(address: str) -> str:
    """``https://a.b.example.co.uk/x`` → ``example.co.uk``; a host without a known suffix as it is."""
    host = _host(address)
    return (_suffixes().privatesuffix(host) or host) if host else ""


def _suffix(address: str) -> str:
    """``co.uk`` for ``https://a.example.co.uk/``; empty unless the address ends in a known suffix."""
    host = _host(address)
    return (_suffixes().publicsuffix(host) or "") if host else ""


def _fold_word(word: str) -> tuple[str, bool]:
    """A word that mixes scripts (Latin ``c`` + Cyrillic ``а``) as its Latin skeleton; whether it did. A word
    wholly in one script (a Russian or Greek name) is left as it is."""
    if word.isascii() or len({_script(ch) for ch in word if ch.isalpha()}) < 2:
        return word, False
    look_alikes = _look_alikes()
    return "".join(look_alikes.get(ch, ch) if not ch.isascii() else ch for ch in word), True


@dataclass(frozen=True)
class Normalised:
    text: str  # lowercase, disguises removed, addresses replaced by their registrable domains
    domains: tuple[str, ...]  # registrable domains of the addresses in the text
    markers: tuple[str, ...]  # the disguises seen (``~zerowidth`` …)


def normalise(body: str) -> Normalised:
    """The text a reader would see, lowercased, with the tricks that hide words from a filter undone."""
    markers: list[str] = []
    if _INVISIBLE.search(body):
        markers.append("~zerowidth")
        body = _INVISIBLE.sub("", body)
    if _FULLWIDTH.search(body):
        markers.append("~fullwidth")
    text = unicodedata.normalize("NFKC", body)
    if _BBCODE.search(text):
        markers.append("~bbcode")
        text = _BBCODE.sub(lambda m: f" {m.group(0).partition('=')[2].rstrip(']')} ", text)  # keep [url=…]'s address
    if _MD_LINK.search(text):
        markers.append("~mdlink")
    if _SPINTAX.search(text):
        markers.append("~spintax")
        text = _SPINTAX.sub(lambda m: " ".join(m.group(1).split("|")), text)
    folded = []
    mixed = False
    for piece in re.split(r"(\s+)", text):
        word, changed = _fold_word(piece)
        mixed = mixed or changed
        folded.append(word)
    if mixed:
        markers.append("~mixedscript")
    text = "".join(folded).lower()
    domains: list[str] = []

    def domain(match: re.Match[str]) -> str:
        found = registrable_domain(match.group(0))
        if not found:
            return match.group(0)
        domains.append(found)
        suffix = _suffix(match.group(0))
        return f" url:{found} tld:{suffix} "

    text = _URL.sub(domain, text)
    text = _BARE_DOMAIN.sub(lambda m: domain(m) if _suffix(m.group(0)) else m.group(0), text)
    if _SPACED.search(text):
        markers.append("~spaced")
        text = _SPACED.sub(lambda m: re.sub(r"[ \t.]", "", m.group(0)), text)
    if _LEET_WORD.search(text):
        leet = [w for w in _LEET_WORD.findall(text) if not w.startswith(("url:", "tld:"))]
        if leet:
            markers.append("~leet")
            text = _LEET_WORD.sub(lambda m: m.group(0).translate(_LEET), text)
    return Normalised(text=text, domains=tuple(domains), markers=tuple(markers))


def _words(text: str) -> list[str]:
    out = []
    for token in text.split():
        if token.startswith(("url:", "tld:")):
            out.append(token.rstrip(".,;:!?"))
        else:
            out += _WORD.findall(token)
    return out


def features(*, body: str, name: str = "", website: str = "") -> dict[str, float]:
    """The comment's features with their weights: words, word pairs, character 4-grams, the name's words, the
    website's registrable domain and suffix, and markers for the disguises and for links (how many, shortened,
    a link with hardly a word around it)."""
    normal = normalise(body)
    out: dict[str, float] = {}

    def add(feature: str, weight: float = 1.0) -> None:
        feature = feature[:MAX_FEATURE]
        if feature not in out and len(out) < MAX_FEATURES:
            out[feature] = weight

    for marker in normal.markers:
        add(marker)
    words = _words(normal.text)
    for word in words:
        add(word)
    for first, second in itertools.pairwise(words):
        if not first.startswith(("url:", "tld:")) and not second.startswith(("url:", "tld:")):
            add(f"{first} {second}")
    links = len(normal.domains)
    add("~links:0" if links == 0 else "~links:1" if links == 1 else "~links:many")
    if any(d in SHORTENERS for d in normal.domains):
        add("~shortlink")
    if links and sum(1 for w in words if not w.startswith(("url:", "tld:"))) < 4:
        add("~linkonly")  # a link and hardly a word around it
    if len(body) > 1500:
        add("~long")
    for word in _words(normalise(name).text):
        add(f"name:{word}")
    if website.strip():
        add("~website")
        domain = registrable_domain(website)
        if domain:
            add(f"site:{domain}")
            add(f"tld:{_suffix(website)}")
            for part in re.split(r"[^a-z0-9]+", domain.rsplit(".", 1)[0]):
                if len(part) > 2:
                    add(f"siteword:{part}")
                for i in range(len(part) - 3):  # words run together: bestcasinoreviews
                    add(f"sitegram:{part[i : i + 4]}", CHAR_WEIGHT)
    for word in words:
        if word.startswith(("url:", "tld:")) or len(word) < 5:
            continue
        padded = f"^{word}$"
        for i in range(len(padded) - 3):
            add(f"c:{padded[i : i + 4]}", CHAR_WEIGHT)
    return out


@dataclass(frozen=True, slots=True)  # one per feature: about 21,000 in the seed corpus alone
class Counts:
    """How many spam and ham documents had a feature (``DOCUMENTS``: how many there were)."""

    spam: int = 0
    ham: int = 0


@dataclass(frozen=True)
class Score:
    probability: float  # 0 (surely good) … 1 (surely spam)
    spammy: tuple[str, ...]  # the words that weighed most towards spam, heaviest first
    hammy: tuple[str, ...]  # … towards good

    def reason(self, limit: int = 5) -> str:
        words = self.spammy[:limit] if self.probability >= 0.5 else self.hammy[:limit]
        shown = f": {', '.join(words)}" if words else ""
        return f"spam score {self.probability:.2f}{shown}"


def score(feats: Mapping[str, float], counts: Mapping[str, Counts], *, alpha: float = 1.0) -> Score:
    """Naive Bayes over feature presence: the prior odds of the documents seen, times each known feature's
    likelihood ratio (smoothed by ``alpha``, weighted, clamped), as a probability."""
    docs = counts.get(DOCUMENTS, Counts())
    total_spam, total_ham = docs.spam, docs.ham
    log_odds = math.log((total_spam + 1) / (total_ham + 1))
    weighed: list[tuple[float, str]] = []
    for feature, weight in feats.items():
        seen = counts.get(feature)
        if seen is None or (seen.spam == 0 and seen.ham == 0):
            continue
        p_spam = (seen.spam + alpha) / (total_spam + 2 * alpha)
        p_ham = (seen.ham + alpha) / (total_ham + 2 * alpha)
        # Robinson's degree of belief: a feature seen in few comments is pulled towards neutral, so that one rare
        # word cannot decide a short comment.
        seen_in = seen.spam + seen.ham
        belief = (STRENGTH * 0.5 + seen_in * p_spam / (p_spam + p_ham)) / (STRENGTH + seen_in)
        ratio = max(-CLAMP, min(CLAMP, math.log(belief / (1 - belief)))) * weight
        log_odds += ratio
        if not feature.startswith("c:"):
            weighed.append((ratio, feature))
    probability = _sigmoid(log_odds)
    # A genuine comment copied word for word under a spammer's name and website: the body weighs towards good,
    # so the commenter's identity (name, website) is also judged on its own, and the worse of the two counts.
    identity = sum(r for r, f in weighed if f.startswith(_IDENTITY))
    if identity > 0:  # only evidence against the commenter counts here; none is no evidence for the comment
        probability = max(probability, _sigmoid(identity))
    weighed.sort(key=lambda item: (-abs(item[0]), item[1]))
    shown = [(r, f) for r, f in weighed if not f.startswith("sitegram:")]  # fragments: the editor sees the site
    spammy = tuple(_shown(f) for r, f in shown if r > 0.1)
    hammy = tuple(_shown(f) for r, f in shown if r < -0.1)
    return Score(probability=probability, spammy=spammy, hammy=hammy)


# Who: the name, the website (its words and their fragments) and its suffix, not merely having one.
_IDENTITY = ("name:", "site:", "siteword:", "sitegram:", "tld:")


def _sigmoid(log_odds: float) -> float:
    return 1 / (1 + math.exp(-max(-700.0, min(700.0, log_odds))))


def _shown(feature: str) -> str:
    """A feature as an editor reads it in a reason (``site:x.top`` → ``website x.top``)."""
    for prefix, label in (
        ("site:", "website "),
        ("url:", "link "),
        ("name:", "name "),
        ("tld:", "."),
        ("siteword:", "website "),
    ):
        if feature.startswith(prefix):
            return label + feature[len(prefix) :]
    if feature.startswith("~"):
        return {
            "~zerowidth": "hidden characters",
            "~fullwidth": "fullwidth letters",
            "~mixedscript": "look-alike letters",
            "~spaced": "spaced-out letters",
            "~leet": "leetspeak",
            "~bbcode": "BBCode",
            "~mdlink": "Markdown links",
            "~spintax": "spintax",
            "~links:many": "several links",
            "~shortlink": "a shortened link",
            "~linkonly": "a link and little else",
            "~links:1": "a link",
            "~links:0": "no link",
            "~website": "a website",
            "~long": "a very long text",
        }.get(feature, feature)
    return feature


def tally(examples: Iterable[tuple[Mapping[str, float], bool]]) -> dict[str, Counts]:
    """Counts from (features, is_spam) pairs: the seed corpus, or a retrain."""
    spam: dict[str, int] = {}
    ham: dict[str, int] = {}
    for feats, is_spam in examples:
        side = spam if is_spam else ham
        for feature in (*feats, DOCUMENTS):
            side[feature] = side.get(feature, 0) + 1
    return {f: Counts(spam.get(f, 0), ham.get(f, 0)) for f in spam.keys() | ham.keys()}


def common(counts: Mapping[str, Counts], *, at_least: int = SEED_MIN_COMMENTS) -> dict[str, Counts]:
    """The counts of features seen in at least ``at_least`` comments (and the documents' counts)."""
    return {f: c for f, c in counts.items() if f == DOCUMENTS or c.spam + c.ham >= at_least}


def combine(*layers: Mapping[str, Counts]) -> dict[str, Counts]:
    out: dict[str, Counts] = {}
    for layer in layers:
        for feature, c in layer.items():
            had = out.get(feature, Counts())
            out[feature] = Counts(had.spam + c.spam, had.ham + c.ham)
    return out


@dataclass(frozen=True)
class Evaluation:
    true_spam: int  # spam sent to Spam
    missed_spam: int  # spam not sent to Spam
    false_spam: int  # ham sent to Spam
    true_ham: int

    @property
    def precision(self) -> float:
        sent = self.true_spam + self.false_spam
        return self.true_spam / sent if sent else 1.0

    @property
    def recall(self) -> float:
        spam = self.true_spam + self.missed_spam
        return self.true_spam / spam if spam else 1.0

    @property
    def false_positive_rate(self) -> float:
        ham = self.false_spam + self.true_ham
        return self.false_spam / ham if ham else 0.0


def evaluate(results: Iterable[tuple[float, bool]], *, threshold: float) -> Evaluation:
    """(probability, is_spam) pairs judged against the threshold above which a comment goes to Spam."""
    tp = fn = fp = tn = 0
    for probability, is_spam in results:
        flagged = probability >= threshold
        if is_spam:
            tp, fn = (tp + 1, fn) if flagged else (tp, fn + 1)
        else:
            fp, tn = (fp + 1, tn) if flagged else (fp, tn + 1)
    return Evaluation(true_spam=tp, missed_spam=fn, false_spam=fp, true_ham=tn)
