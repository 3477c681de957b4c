"""Writes blog/data/spam_seed_counts.tsv: the spam filter's counts of the seed corpus (blog/data/spam_seed.jsonl),
one feature a line as ``spam<TAB>ham<TAB>feature``, the features seen in at least ``SEED_MIN_COMMENTS`` comments.

Every web worker holds these counts. Counting them from the corpus at start-up left about 12 MiB of freed but
fragmented memory in the server (the 58,000 features of all 1,807 comments, most of them seen once); reading the
counts takes 2 MiB. Run after changing the corpus or the features (blog/core/spamfilter.py):
python tests/data/make_spam_counts.py; tests/unit/test_spamfilter.py checks that the file is up to date.
"""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "blog" / "data"
CORPUS = DATA / "spam_seed.jsonl"
TARGET = DATA / "spam_seed_counts.tsv"


def text() -> str:
    from blog.core import spamfilter
    from blog.services.spamfilter import read_examples

    examples = read_examples(CORPUS.read_text(encoding="utf-8").splitlines())
    counts = spamfilter.common(spamfilter.tally((e.features(), e.is_spam) for e in examples))
    lines = []
    for feature, c in sorted(counts.items()):
        if not feature.isprintable() or "\t" in feature:
            raise ValueError(f"feature {feature!r} cannot be written on one line")
        lines.append(f"{c.spam}\t{c.ham}\t{feature}\n")
    return "".join(lines)


def main() -> None:
    TARGET.write_text(text(), encoding="utf-8")


if __name__ == "__main__":
    main()
