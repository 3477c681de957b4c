from blog.core.text import reading_minutes, slugify


def test_slugify():
    assert slugify("Harbour Plan: What's Next?") == "harbour-plan-what-s-next"
    assert slugify("  Crème brûlée — Ünïcode ") == "creme-brulee-unicode"
    assert slugify("!!!") == ""
    assert slugify("a" * 100, max_length=10) == "a" * 10
    assert slugify("word " * 30, max_length=12) == "word-word-wo"


def test_reading_minutes():
    assert reading_minutes("") == 1
    assert reading_minutes("word " * 230) == 1
    assert reading_minutes("word " * 231) == 2
