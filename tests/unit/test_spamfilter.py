"""The spam filter's pure part: normalisation sees through each disguise, learning moves the score."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from blog.core import spamfilter as sf


def test_nfkc_turns_fullwidth_letters_into_ascii():
    normal = sf.normalise("ｃｈｅａｐ　ｐｉｌｌｓ")
    assert "cheap pills" in normal.text
    assert "~fullwidth" in normal.markers


def test_zero_width_characters_are_removed():
    normal = sf.normalise("vi\u200bag\u200dra and ca\ufeffsino")
    assert "viagra" in normal.text and "casino" in normal.text
    assert "~zerowidth" in normal.markers


def test_homoglyphs_are_folded_to_their_latin_skeleton():
    normal = sf.normalise("frее sрins at the саsinо")  # Cyrillic е, р, а, о inside Latin words
    assert "free spins at the casino" in normal.text
    assert "~mixedscript" in normal.markers


def test_names_in_another_script_are_left_alone():
    normal = sf.normalise("Дмитрий and Zoë Łukasiewicz agree")
    assert "дмитрий" in normal.text and "zoë łukasiewicz" in normal.text
    assert normal.markers == ()


def test_leetspeak_is_folded_but_numbers_are_not():
    normal = sf.normalise("Fr33 c4sino b0nus in 2026 for $500")
    assert "free casino bonus" in normal.text
    assert "2026" in normal.text and "$500" in normal.text
    assert "~leet" in normal.markers


def test_spaced_letters_are_joined():
    normal = sf.normalise("get f r e e   spins: v i a g r a")
    assert "free" in normal.text and "viagra" in normal.text
    assert "~spaced" in normal.markers


def test_dotted_letters_are_joined_but_abbreviations_are_left():
    normal = sf.normalise("b.e.t.t.i.n.g t.i.p.s every saturday, e.g. at 3 p.m. in the U.K.")
    assert "betting tips" in normal.text and "~spaced" in normal.markers
    assert "e.g." in normal.text and "p.m." in normal.text


def test_a_shortened_link_and_a_bare_link_are_marked():
    assert {"~shortlink", "~linkonly", "~links:1"} <= sf.features(body="https://is.gd/Xk9fQ2").keys()
    local = sf.features(body="The permit prices are on the council's page: https://www.kestrelbay.gov.uk/parking")
    assert "~links:1" in local and not {"~shortlink", "~linkonly"} & local.keys()


def test_words_run_together_in_a_website_are_seen_through_their_fragments():
    counts = sf.tally(
        [
            (sf.features(body="Nice post.", website=f"https://{site}"), True)
            for site in ("casino-king.top", "top-casino.win")
        ]
        + [(sf.features(body="Nice post.", website="https://kestrelbayrovers.co.uk"), False)]
    )
    unseen = sf.features(body="Sad to see the old shops go.", website="https://bestcasinoreviews.co.uk")
    assert "sitegram:casi" in unseen
    result = sf.score(unseen, counts)
    assert result.probability > 0.5
    assert not [w for w in result.spammy if "sitegram" in w or "…" in w]  # the editor is shown words, not fragments


def test_urls_become_their_registrable_domain():
    normal = sf.normalise("see https://shop.cheap-pills.co.uk/buy?now=1 and www.casino-king.top/x or spam-site.xyz")
    assert normal.domains == ("cheap-pills.co.uk", "casino-king.top", "spam-site.xyz")
    assert "url:cheap-pills.co.uk" in normal.text and "shop." not in normal.text


def test_a_domain_ends_before_the_punctuation_after_it():
    assert sf.normalise("rooms at www.hotel-deals-24.com, book now!").domains == ("hotel-deals-24.com",)
    assert sf.normalise("read more at http://1.2.3.4/page").domains == ("1.2.3.4",)
    # An ending that is no public suffix is not a domain: "e.g" and "file.txt" stay words.
    assert sf.normalise("e.g the file.txt").domains == ()


def test_domain_lookups_never_use_the_network(monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("the spam filter tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    sf._suffixes.cache_clear()  # the suffix list is read anew, with the network refused
    assert sf.registrable_domain("https://a.b.example.com.au/x") == "example.com.au"


def test_bbcode_and_markdown_links_are_seen():
    bb = sf.normalise("pills [url=https://pills.example.ru]buy[/url] [b]now[/b]")
    assert "~bbcode" in bb.markers and "[url" not in bb.text and "url:example.ru" in bb.text
    md = sf.normalise("cheap [followers](https://followers.example.click/x)")
    assert "~mdlink" in md.markers and "url:example.click" in md.text


def test_spintax_is_opened():
    normal = sf.normalise("{Great|Nice} post, {visit|see} my site")
    assert "great nice post" in normal.text and "{" not in normal.text
    assert "~spintax" in normal.markers


def test_a_very_long_body_has_a_bounded_number_of_features():
    body = " ".join(f"word{i}x" for i in range(5000))
    feats = sf.features(body=body)
    assert len(feats) == sf.MAX_FEATURES
    assert all(len(f) <= sf.MAX_FEATURE for f in sf.features(body="a" * 500))


def test_features_include_the_website_and_the_name():
    feats = sf.features(body="Nice post.", name="Cheap Pills", website="https://www.best-pills.top/x")
    assert {"site:best-pills.top", "tld:top", "name:cheap", "name:pills", "siteword:pills"} <= feats.keys()


SPAM = ["win free spins at the online casino bonus", "cheap viagra pills online no prescription"]
HAM = ["thanks for the report on the council meeting", "the bus timetable changed on monday"]


def _counts(spam=SPAM, ham=HAM):
    return sf.tally([(sf.features(body=b), True) for b in spam] + [(sf.features(body=b), False) for b in ham])


def test_learning_a_text_as_spam_raises_its_score_and_as_ham_lowers_it():
    text = "a new casino opened near the council offices"
    before = sf.score(sf.features(body=text), _counts()).probability
    as_spam = sf.score(sf.features(body=text), _counts(spam=[*SPAM, text])).probability
    as_ham = sf.score(sf.features(body=text), _counts(ham=[*HAM, text])).probability
    assert as_ham < before < as_spam


def test_the_score_names_the_words_that_weighed_most():
    result = sf.score(sf.features(body="free casino spins today"), _counts())
    assert result.probability > 0.5
    assert {"casino", "spins"} <= set(result.spammy)
    assert result.reason().startswith(f"spam score {result.probability:.2f}: ")


def test_a_disguised_spam_scores_like_the_plain_one():
    counts = _counts()
    plain = sf.features(body="cheap viagra pills")
    disguised = sf.features(body="ｃｈｅａｐ v\u200bіagrа р1lls")  # fullwidth, zero-width, Cyrillic і, а, р, leet
    assert plain.keys() - {"~links:0"} <= disguised.keys()
    expected = sf.score(plain, counts).probability
    assert expected > 0.5
    assert sf.score(disguised, counts).probability == pytest.approx(expected)


def test_a_copied_comment_under_a_spammers_identity_is_spam():
    counts = sf.combine(
        _counts(), sf.tally([(sf.features(body="x", name="Cheap Viagra", website="https://cheap-viagra.ru"), True)])
    )
    genuine = "thanks for the report on the council meeting"
    assert sf.score(sf.features(body=genuine), counts).probability < 0.5
    copied = sf.features(body=genuine, name="Cheap Viagra", website="https://cheap-viagra.ru")
    assert sf.score(copied, counts).probability > 0.5


def test_combine_adds_counts():
    merged = sf.combine({"a": sf.Counts(1, 2)}, {"a": sf.Counts(3, 0), "b": sf.Counts(0, 1)})
    assert merged == {"a": sf.Counts(4, 2), "b": sf.Counts(0, 1)}


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ([(0.95, True), (0.5, True), (0.99, False), (0.1, False), (0.2, False)], (1, 1, 1, 2)),
        ([], (0, 0, 0, 0)),
    ],
)
def test_evaluate_counts_the_confusion_matrix(results, expected):
    e = sf.evaluate(results, threshold=0.9)
    assert (e.true_spam, e.missed_spam, e.false_spam, e.true_ham) == expected


def test_precision_and_recall():
    e = sf.Evaluation(true_spam=8, missed_spam=2, false_spam=2, true_ham=88)
    assert (e.precision, e.recall, e.false_positive_rate) == (0.8, 0.8, 2 / 90)


def _labelled(path):
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(sf.features(body=r["body"], name=r["name"], website=r["website"]), r["label"] == "spam") for r in rows]


@pytest.mark.parametrize(
    ("name", "caught", "ham_to_spam"),
    [
        # Issue 22's goal is >= 95 % caught, <= 2 % of ham to Spam. The fourth set was written by someone who saw
        # nothing of the project and measured once, with the seed corpus of 1,807 comments (docs/performance.md);
        # the others were read while the filter was built, so their figures flatter it. Today's figures as floors.
        ("spam_heldout_fourth.jsonl", 0.955, 0.005),  # 191 / 200 caught, 1 / 200 ham to Spam
        ("spam_heldout.jsonl", 1.0, 0.04),  # 3 / 80 ham to Spam ("free loans for solar panels", "Best regards")
        ("spam_heldout_blind.jsonl", 0.975, 0.0),
        ("spam_heldout_third.jsonl", 0.95, 0.01),
    ],
)
def test_the_shipped_filter_on_the_held_out_sets(name, caught, ham_to_spam):
    """The seed corpus alone, at the default threshold (90 %): spam sent to Spam and ham sent there."""
    root = Path(__file__).resolve().parents[2]
    counts = sf.common(sf.tally(_labelled(root / "blog" / "data" / "spam_seed.jsonl")))
    held_out = _labelled(root / "tests" / "data" / name)
    assert len(held_out) >= 150
    result = sf.evaluate(((sf.score(f, counts).probability, is_spam) for f, is_spam in held_out), threshold=0.9)
    assert result.recall >= caught and result.false_positive_rate <= ham_to_spam, result


def test_the_shipped_seed_counts_are_the_seed_corpus_counted():
    """A change to the corpus or to the features needs the counts made again: python tests/data/make_spam_counts.py"""
    from tests.data.make_spam_counts import TARGET, text

    assert TARGET.read_text(encoding="utf-8") == text(), "run: python tests/data/make_spam_counts.py"


def test_the_server_reads_the_shipped_seed_counts():
    from blog.services.spamfilter import seed_counts
    from tests.data.make_spam_counts import CORPUS

    assert seed_counts() == sf.common(sf.tally(_labelled(CORPUS)))


def test_the_shipped_look_alike_table_is_unicodes_confusables_data():
    from tests.data.make_confusables import TARGET, table

    assert json.loads(TARGET.read_text(encoding="utf-8")) == table()
