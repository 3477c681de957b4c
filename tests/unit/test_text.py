from blog.core.text import reading_minutes, slugify, word_count


def test_slugify():
    assert slugify("Harbour Plan: What's Next?") == "harbour-plan-what-s-next"
    assert slugify("  Crème brûlée — Ünïcode ") == "creme-brulee-unicode"
    assert slugify("!!!") == ""
    assert slugify("a" * 100, max_length=10) == "a" * 10
    assert slugify("word " * 30, max_length=12) == "word-word-wo"


def test_reading_minutes():
    assert reading_minutes(0) == 1
    assert reading_minutes(230) == 1
    assert reading_minutes(231) == 2
    assert reading_minutes(690) == 3


def test_word_count():
    assert word_count("") == 0
    assert word_count("  The keeper\n\nlit   the\tlamp. ") == 5
    assert word_count("word " * 231) == 231


def test_normalise_newlines_counts_each_break_once():
    from blog.core.text import normalise_newlines

    assert normalise_newlines("a\r\nb\rc\nd") == "a\nb\nc\nd"
    assert normalise_newlines("\r\n\r\n") == "\n\n"
    assert normalise_newlines("no breaks") == "no breaks"
