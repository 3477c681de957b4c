"""The article page runs a constant, small number of SQL queries whatever it shows."""

import pytest

BUDGET = 6


@pytest.fixture
def page_queries(client, count_queries):
    def run(slug: str) -> int:
        client.get(f"/articles/{slug}")  # warm-up: nothing per-process should count below
        with count_queries() as statements:
            response = client.get(f"/articles/{slug}")
        assert response.status_code == 200
        return len(statements)

    return run


def build(make_article, make_comment, add_link, *, slug, comments, tags, links):
    tag_names = tuple(f"topic-{n}" for n in range(tags))
    targets = [make_article(f"Target {slug} {n}", tags=tag_names[:1]) for n in range(links)]
    article = make_article(f"Article {slug}", slug=slug, tags=tag_names)
    for n, target in enumerate(targets):
        if n % 2:
            add_link(article, url=f"https://example.org/{slug}/{n}", title=f"External {n}")
        else:
            add_link(article, target_id=target)
    parent = None
    for n in range(comments):
        parent = make_comment(
            article,
            name=f"Reader {n}",
            email=f"r{n}@example.net",
            body=f"Comment {n}",
            parent_id=parent if n % 3 else None,
            minutes=n,
        )
    return article


def test_query_count_is_constant(page_queries, make_article, make_comment, add_link):
    counts = {}
    for comments, tags, links in [(0, 1, 0), (10, 1, 0), (50, 1, 0), (10, 12, 0), (10, 1, 6), (50, 12, 6)]:
        slug = f"c{comments}-t{tags}-l{links}"
        build(make_article, make_comment, add_link, slug=slug, comments=comments, tags=tags, links=links)
        counts[slug] = page_queries(slug)
    assert len(set(counts.values())) == 1, counts
    assert max(counts.values()) <= BUDGET, counts


def test_article_page_query_count_is_small(page_queries, make_article):
    make_article("Plain", slug="plain", tags=("one",))
    assert page_queries("plain") == 5  # article+author, its tags, comments, keep reading, settings


def test_corrections_cost_one_query_whatever_their_number(app, page_queries, make_article, make_user):
    """Read only when an article has some (``articles.correction_count``), in one statement."""
    from blog.extensions import db
    from blog.models import Article, User
    from blog.orm import utcnow
    from blog.services import editorial

    editor_id = make_user(role="editor")
    counts = {}
    for number in (1, 5):
        slug = f"corrected-{number}"
        article_id = make_article(f"Corrected {number}", slug=slug, tags=("one",))
        with app.app_context():
            for n in range(number):
                article = db.session.get(Article, article_id)
                editor = db.session.get(User, editor_id)
                editorial.add_correction(article, f"Correction {n}.", editor=editor, now=utcnow())
            db.session.commit()
        counts[number] = page_queries(slug)
    assert counts == {1: 6, 5: 6}  # the plain page's five, and the corrections
