"""Search queries and snippets: words only, never engine syntax; escaped first, then marked."""

import time

import pytest

from blog.core.search import MAX_QUERY_LENGTH, QueryError, highlight, mentions, parse_query, plain_text


def test_queries_become_quoted_words():
    query = parse_query('  Harbour "plan"  AND NEAR(ferry*  harbour ')
    assert query.words == ("harbour", "plan", "and", "near", "ferry")
    assert query.fts5 == '"harbour" "plan" "and" "near" "ferry"'
    assert query.plain == "harbour plan and near ferry"
    assert query.text == 'Harbour "plan" AND NEAR(ferry* harbour'


@pytest.mark.parametrize("raw", [None, "", "   ", '"', "*", "()", "🦅🦅", "_", "\x00"])
def test_nothing_to_search(raw):
    assert parse_query(raw) is None


def test_too_long_is_refused_but_the_limit_is_fine():
    assert parse_query("a" * MAX_QUERY_LENGTH) is not None
    with pytest.raises(QueryError, match="at most 200 characters"):
        parse_query("a" * (MAX_QUERY_LENGTH + 1))


def test_unicode_words_survive():
    assert parse_query("Café ΑΘΗΝΑ 港口").words == ("café", "αθηνα", "港口")


def test_highlight_escapes_then_marks():
    query = parse_query("ferry")
    html = highlight('The <b>ferry</b> & "Ferries" run; ferrymen wait.', query)
    assert html == (
        "The &lt;b&gt;<mark>ferry</mark>&lt;/b&gt; &amp; &quot;<mark>Ferries</mark>&quot; run; "
        "<mark>ferrymen</mark> wait."
    )


def test_highlight_windows_on_the_densest_matches():
    text = " ".join(["filler"] * 100 + ["quay", "berth", "quay"] + ["filler"] * 100)
    html = highlight(text, parse_query("quay berth"), words=10)
    assert html.startswith("… ") and html.endswith(" …")
    assert html.count("<mark>") == 3


def test_highlight_is_linear_on_long_texts():
    """Ten times the text takes about ten times as long (a quadratic step would take a hundred): a ratio of
    the fastest of three runs each, so a busy machine does not decide the outcome as a fixed limit would."""

    def fastest(words: int) -> float:
        text, query = "harbour " * words, parse_query("harbour")
        times = []
        for _ in range(3):
            started = time.perf_counter()
            highlight(text, query)
            times.append(time.perf_counter() - started)
        return min(times)

    assert fastest(50_000) / fastest(5_000) < 30


def test_mentions_and_plain_text():
    assert mentions("Ferries resume", parse_query("ferry"))
    assert not mentions("Buses resume", parse_query("ferry"))
    assert plain_text("<p>Fish &amp; <em>chips</em></p><p>next</p>") == "Fish & chips next"
