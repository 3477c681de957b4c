from blog.core.related import ReadingLink, keep_reading


def art(slug: str) -> ReadingLink:
    return ReadingLink(title=slug.title(), article_slug=slug)


def ext(url: str) -> ReadingLink:
    return ReadingLink(title="External", url=url)


def test_curated_first_in_order_then_automatic():
    got = keep_reading([art("b"), ext("https://x.example")], [art("c"), art("d")], own_slug="a", size=4)
    assert [link.key for link in got] == ["article:b", "url:https://x.example", "article:c", "article:d"]


def test_never_self_never_twice_and_capped():
    got = keep_reading([art("a"), art("b")], [art("b"), art("a"), art("c"), art("d"), art("e")], own_slug="a", size=3)
    assert [link.article_slug for link in got] == ["b", "c", "d"]


def test_empty_when_nothing_to_show():
    assert keep_reading([], [], own_slug="a", size=4) == []
    assert keep_reading([art("a")], [], own_slug="a", size=4) == []
