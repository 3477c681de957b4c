"""Counts that stop: list pagers, search totals and desk tabs stay cheap on big sites (bench_scale.py).

The limits are lowered here so that a handful of rows shows what 100,000 would.
"""

import pytest
import sqlalchemy as sa
from lxml import html as lxml_html

from blog.extensions import db
from blog.models import Article, CommentStatus
from blog.services import articles, moderation, search


def parse(response):
    assert response.status_code == 200, response.status_code
    return lxml_html.fromstring(response.get_data(as_text=True))


def text(doc, xpath):
    return " ".join(doc.xpath(f"string({xpath})").split())


def titles(doc):
    return [" ".join(t.text_content().split()) for t in doc.xpath("//article//*[@class='teaser-title']")]


# --- Lists: home, author, tag ----------------------------------------------------------------------


def test_home_pager_counts_only_so_far_on_a_big_site(app, client, make_article, monkeypatch):
    app.config["ARTICLES_PER_PAGE"] = 2
    monkeypatch.setattr(articles, "COUNT_AHEAD", 5)
    for n in range(12):  # Story n is n hours old
        make_article(f"Story {n}")
    first = parse(client.get("/"))
    assert titles(first) == ["Story 0", "Story 1"]
    assert text(first, "//*[@class='pager-status']") == "Page 1"  # 12 rows ahead of page 1: more than 5
    assert first.xpath("//a[@rel='next']/@href") == ["/?page=2"]
    fourth = parse(client.get("/?page=4"))  # 6 rows from its start: still more than 5
    assert titles(fourth) == ["Story 6", "Story 7"]
    assert text(fourth, "//*[@class='pager-status']") == "Page 4"
    fifth = parse(client.get("/?page=5"))  # 4 rows from its start: the end is in sight, the count is exact
    assert titles(fifth) == ["Story 8", "Story 9"]
    assert text(fifth, "//*[@class='pager-status']") == "Page 5 of 6"
    last = parse(client.get("/?page=6"))
    assert titles(last) == ["Story 10", "Story 11"] and not last.xpath("//a[@rel='next']")
    assert client.get("/?page=7").status_code == 404
    assert client.get("/?page=70").status_code == 404


def test_small_lists_keep_their_exact_pager(app, client, make_user, make_article):
    app.config["ARTICLES_PER_PAGE"] = 2
    author = make_user("Farid Mensah")
    for n in range(5):
        make_article(f"Match report {n}", author_id=author)
    assert text(parse(client.get("/authors/farid-mensah")), "//*[@class='pager-status']") == "Page 1 of 3"
    assert text(parse(client.get("/")), "//*[@class='pager-status']") == "Page 1 of 3"


def test_author_pager_counts_only_so_far(app, client, make_user, make_article, monkeypatch):
    app.config["ARTICLES_PER_PAGE"] = 2
    monkeypatch.setattr(articles, "COUNT_AHEAD", 3)
    author = make_user("Farid Mensah")
    for n in range(6):
        make_article(f"Match report {n}", author_id=author)
    make_article("Someone else's story")
    first = parse(client.get("/authors/farid-mensah"))
    assert text(first, "//*[@class='pager-status']") == "Page 1"
    assert text(parse(client.get("/authors/farid-mensah?page=3")), "//*[@class='pager-status']") == "Page 3 of 3"
    assert client.get("/authors/farid-mensah?page=4").status_code == 404


def test_tag_count_is_exact_and_leaves_out_unpublished_articles(app, client, make_article, monkeypatch):
    app.config["ARTICLES_PER_PAGE"] = 2
    monkeypatch.setattr(articles, "COUNT_AHEAD", 1)  # the tag's count never uses it: it is always exact
    for n in range(5):
        make_article(f"Harbour story {n}", tags=("harbour",))
    make_article("Harbour draft", tags=("harbour",), published=False)
    odd = make_article("Published without a date", tags=("harbour",))
    make_article("Ferry story", tags=("ferries",))
    with app.app_context():  # not something the app does, but the public pages must not count it
        db.session.execute(sa.update(Article).where(Article.id == odd).values(published_at=None))
        db.session.commit()
    first = parse(client.get("/tags/harbour"))
    assert text(first, "//header//p[@class='muted']") == "5 articles"
    assert titles(first) == ["Harbour story 0", "Harbour story 1"]
    assert text(first, "//*[@class='pager-status']") == "Page 1 of 3"
    assert titles(parse(client.get("/tags/harbour?page=3"))) == ["Harbour story 4"]
    assert client.get("/tags/harbour?page=4").status_code == 404
    assert text(parse(client.get("/tags/ferries")), "//header//p[@class='muted']") == "1 article"


def test_list_pages_run_no_more_statements(app, client, make_article, count_queries):
    for n in range(3):
        make_article(f"Story {n}", tags=("harbour",))
    # as before these changes: the count, the page, its tags, the settings (+ the tag); past the end, the
    # count alone tells, so the page is not read
    for url, budget in (("/", 4), ("/tags/harbour", 5), ("/?page=2", 2)):
        client.get(url)
        with count_queries() as statements:
            client.get(url)
        assert len(statements) <= budget, (url, statements)


# --- Search ----------------------------------------------------------------------------------------


def results(doc):
    return [href.rsplit("/", 1)[1] for href in doc.xpath("//ol[@class='search-results']//h2/a/@href")]


def test_search_lists_the_newest_matches_and_says_there_are_more(app, client, make_article, monkeypatch):
    app.config["ARTICLES_PER_PAGE"] = 2
    monkeypatch.setattr(search, "RANK_LIMIT", 3)
    make_article("Regatta", slug="oldest-exact", body="The regatta.")  # created first: not among the 3 newest
    for n in range(4):
        make_article(f"Regatta report {n}", slug=f"report-{n}", body="The regatta went well." + " regatta" * n)
    first = parse(client.get("/search?q=regatta"))
    assert text(first, "//p[contains(@class,'search-count')]") == "More than 3 results for “regatta”"
    # The title that is the query first, however old; then the newest matches, newest first (3 in all)
    assert results(first) == ["oldest-exact", "report-3"]
    assert text(first, "//*[@class='pager-status']") == "Page 1"
    second = parse(client.get("/search?q=regatta&page=2"))
    assert results(second) == ["report-2"]
    assert not second.xpath("//a[@rel='next']")
    assert client.get("/search?q=regatta&page=3").status_code == 404
    make_article("Regatta", slug="draft-exact", body="The regatta.", published=False)  # only what is published
    assert results(parse(client.get("/search?q=REGATTA"))) == ["oldest-exact", "report-3"]


def test_a_search_with_more_matches_than_the_limit_lists_the_newest_first(app, client, make_article, monkeypatch):
    monkeypatch.setattr(search, "RANK_LIMIT", 3)
    make_article("Timetable", slug="older", body="ferry ferry ferry ferry ferry, all about the ferry")
    make_article("Council notes", slug="newer", body="A ferry.")
    make_article("Ferry", slug="newest", body="Stalls, weather, prices, crowds, music and, once, a ferry.")
    assert results(parse(client.get("/search?q=ferry"))) == ["newest", "older", "newer"]  # 3: exact title, ranked
    make_article("Market day", slug="latest", body="Stalls, weather, prices, crowds, music and, once, a ferry.")
    # 4 matches: the 3 newest, newest first (the exact title still on top), unranked
    assert results(parse(client.get("/search?q=ferry"))) == ["newest", "latest", "newer"]


def test_search_under_the_limit_is_exact_with_exact_title_first(app, client, make_article, monkeypatch):
    monkeypatch.setattr(search, "RANK_LIMIT", 3)
    make_article("Harbour plan delayed", slug="delayed", body="harbour plan, harbour plan, harbour plan")
    make_article("Harbour plan", slug="exact", body="Short piece.")
    make_article("Harbour plan again", slug="again", body="harbour plan")
    doc = parse(client.get("/search?q=harbour plan"))
    assert text(doc, "//p[contains(@class,'search-count')]") == "3 results for “harbour plan”"
    assert results(doc)[0] == "exact"


# --- The moderation desk ---------------------------------------------------------------------------


@pytest.fixture
def busy_desk(app, sign_in, make_article, make_comment):
    sign_in("editor", name="Eda Editor")
    harbour = make_article("Harbour vote", slug="harbour")
    for n in range(4):
        make_comment(harbour, name=f"Reader {n}", body=f"pending {n}", status=CommentStatus.PENDING, minutes=n)
    make_comment(harbour, name="Ann", body="approved", status=CommentStatus.APPROVED)
    return harbour


def tabs(doc):
    return [" ".join(a.text_content().split()) for a in doc.xpath("//nav[@class='tabs']//a")]


def badge(doc):
    return doc.xpath("//nav[@class='staff-bar']//span[@class='badge']/text()")


def test_desk_tabs_and_badge_stop_counting_at_the_limit(client, busy_desk, monkeypatch):
    monkeypatch.setattr(moderation, "COUNT_LIMIT", 3)
    doc = parse(client.get("/moderation/"))
    assert tabs(doc) == ["Pending (3+)", "Approved (1)", "Spam (0)", "Trash (0)", "Reported (0)"]
    assert badge(doc) == ["3+"]
    assert doc.xpath("//nav[@class='staff-bar']//span[@class='badge']/@aria-label") == ["3+ awaiting moderation"]
    assert badge(parse(client.get("/"))) == ["3+"]
    # filtered by article, counts are exact: an article's comments are few
    assert tabs(parse(client.get("/moderation/?article=harbour")))[0] == "Pending (4)"


def test_desk_counts_once_per_request(client, busy_desk, count_queries):
    client.get("/moderation/")
    with count_queries() as statements:
        doc = parse(client.get("/moderation/"))
    assert tabs(doc)[0] == "Pending (4)" and badge(doc) == ["4"]
    counting = [s for s in statements if "count(" in s.lower()]
    status_counts = [s for s in counting if "comment_reports" not in s]
    assert len(status_counts) == 1, counting  # the four status tabs in one query; the staff bar reuses them
    assert len(counting) == 2, counting  # and the Reported tab's own count


def test_badge_follows_a_moderation_in_the_same_request(app, busy_desk):
    from blog.orm import utcnow

    with app.test_request_context():
        assert moderation.count_by_status()[CommentStatus.PENDING] == 4
        comment = db.session.scalars(
            sa.select(moderation.Comment).where(moderation.Comment.status == CommentStatus.PENDING).limit(1)
        ).one()
        moderation.moderate(comment, "approve", actor=None, now=utcnow())
        assert moderation.count_pending() == 3
        db.session.rollback()
