"""`flask blog import-wxr`: WordPress exports of several shapes (tests/fixtures/wxr/), through the real models."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from blog.core import privacy
from blog.extensions import db
from blog.models import Article, ArticleStatus, Comment, CommentStatus, ModerationEvent, Redirect, Tag, User

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "wxr"
SITE = FIXTURES / "site.xml"


def _import(runner, path, *extra):
    return runner.invoke(args=["blog", "import-wxr", str(path), *extra])


def _counts():
    return {
        model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (User, Article, Tag, Comment, ModerationEvent, Redirect)
    }


def test_import_site(app, runner):
    result = _import(runner, SITE)
    assert result.exit_code == 0, result.output
    assert "9 created (6 approved, 1 pending, 1 spam, 1 trash)" in result.output
    assert "pingbacks" in result.output and "trackbacks" in result.output
    assert "pages (we have no pages)" in result.output
    assert "https://ledger.example/wp-content/uploads/2024/05/ferry.jpg" in result.output
    assert "private post(s) became drafts" in result.output

    with app.app_context():
        ingrid = db.session.scalar(sa.select(User).where(User.email == "ingrid@ledger.example"))
        kenji = db.session.scalar(sa.select(User).where(User.email == "kenji@ledger.example"))
        assert ingrid.display_name == "Ingrid Ødegård" and ingrid.role == "author" and ingrid.password_hash is None
        assert kenji.display_name == "佐藤 健二" and "<em>boats</em>" in kenji.bio_html

        by_guid = {a.wp_guid: a for a in db.session.scalars(sa.select(Article))}
        ferry = by_guid["https://ledger.example/?p=101"]
        assert ferry.title == "Ferry returns after <storm> — “finally”"
        assert ferry.status is ArticleStatus.PUBLISHED and ferry.is_published
        assert ferry.published_at.isoformat() == "2024-05-14T07:30:00+00:00"  # post_date_gmt, not the local time
        assert ferry.summary == "Back after three days."
        assert "]]> stays" in ferry.body_markdown and "<script>" not in ferry.body_html
        assert "<strong>bold</strong>" in ferry.body_html
        assert ferry.author_id == ingrid.id and ferry.wp_post_id == 101
        tags = {t.slug: t.name for t in db.session.scalars(sa.select(Tag))}
        assert tags["harbour"] == "Harbour" and tags["smr"] == "Smør" and "東京" in tags.values()
        assert db.session.get(Tag, ferry.section_tag_id).slug == "harbour"  # the first category

        statuses = {a.wp_post_id: a for a in by_guid.values()}
        assert statuses[102].status is ArticleStatus.DRAFT and statuses[102].published_at is None
        assert statuses[103].is_scheduled and not statuses[103].comments_open
        assert statuses[104].status is ArticleStatus.REVIEW
        assert statuses[105].status is ArticleStatus.DRAFT  # private
        assert 2 not in statuses and 110 not in statuses  # the page and the attachment
        assert "javascript" not in statuses[106].body_html

        rows = {c.wp_id: c for c in db.session.scalars(sa.select(Comment).where(Comment.article_id == ferry.id))}
        assert set(rows) == set(range(11, 20))  # no pingback (20) or trackback (21)
        chain = [11, 12, 13, 14, 15, 16]  # 15 comes before its parent 14 in the file
        for depth, wp_id in enumerate(chain):
            assert rows[wp_id].depth == depth
            assert rows[wp_id].parent_id == (rows[chain[depth - 1]].id if depth else None)
        assert rows[17].status is CommentStatus.PENDING and rows[18].status is CommentStatus.SPAM
        assert rows[19].status is CommentStatus.TRASH and rows[11].status is CommentStatus.APPROVED
        assert ferry.comment_count == 6
        first = rows[11]
        assert first.author_name == "Åse Berg" and first.author_email == "ase.berg@readers.example"
        assert first.body_text.startswith("Depth 0: *welcome* back & [the timetable](https://ferry.example)")
        assert '<a href="https://ferry.example" rel="nofollow ugc noopener">the timetable</a>' in first.body_html
        assert first.ip_hash == privacy.ip_hash(app.config["HASH_KEY"], "192.0.2.15")
        assert first.created_at.isoformat() == "2024-05-14T08:00:00+00:00"
        assert "]]> inside" in rows[13].body_text and "Привет 👋" in rows[16].body_html
        events = db.session.scalars(sa.select(ModerationEvent).where(ModerationEvent.action == "imported")).all()
        assert sorted((e.comment_id, e.to_status) for e in events) == sorted((c.id, c.status) for c in rows.values())


def test_second_run_adds_nothing_and_resumes(app, runner):
    assert _import(runner, SITE, "--batch-size", "2").exit_code == 0
    with app.app_context():
        first = _counts()
        # An interrupted run: the last comments and the last article never arrived.
        ferry = db.session.scalar(sa.select(Article.id).where(Article.wp_post_id == 101))
        db.session.execute(sa.delete(Comment).where(Comment.wp_id.in_([15, 16, 17])))
        db.session.execute(sa.delete(Article).where(Article.wp_post_id == 106))
        db.session.commit()
    again = _import(runner, SITE, "--batch-size", "2")
    assert again.exit_code == 0, again.output
    assert "3 created (2 approved, 1 pending); 6 already imported" in again.output
    assert "1 created (1 published); 5 already imported" in again.output
    with app.app_context():
        after = _counts()
        assert {k: v for k, v in after.items() if k != "moderation_events"} == {
            k: v for k, v in first.items() if k != "moderation_events"
        }
        rows = {c.wp_id: c for c in db.session.scalars(sa.select(Comment).where(Comment.article_id == ferry))}
        assert rows[16].depth == 5 and rows[15].parent_id == rows[14].id
    third = _import(runner, SITE)
    assert "0 created; 6 already imported" in third.output and "0 created; 9 already imported" in third.output
    with app.app_context():
        assert _counts() == after


def test_a_run_stopped_between_a_reply_and_its_later_parent_is_threaded_by_the_next(app, runner):
    """In the file, reply 15 comes before its parent 14. A run that stopped after storing 15 and before reading 14
    left 15 unthreaded; the next run, which skips 15 as already imported, still gives it its parent."""
    assert _import(runner, SITE).exit_code == 0
    with app.app_context():
        # What such a run leaves: 11, 12, 13 and 15 stored, 15 without its parent.
        db.session.execute(sa.delete(Comment).where(Comment.wp_id.in_([14, 16, 17, 18, 19])))
        db.session.execute(sa.update(Comment).where(Comment.wp_id == 15).values(parent_id=None, depth=0))
        db.session.commit()
    again = _import(runner, SITE)
    assert again.exit_code == 0, again.output
    assert "5 created (2 approved, 1 pending, 1 spam, 1 trash); 4 already imported" in again.output
    with app.app_context():
        rows = {c.wp_id: c for c in db.session.scalars(sa.select(Comment))}
        assert [rows[wp_id].depth for wp_id in (11, 12, 13, 14, 15, 16)] == [0, 1, 2, 3, 4, 5]
        assert rows[15].parent_id == rows[14].id and rows[16].parent_id == rows[15].id


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated.xml", "not well-formed XML"),
        ("bomb.xml", "declares a DOCTYPE"),
        ("external_entity.xml", "declares a DOCTYPE"),
    ],
)
def test_refused_before_anything_is_written(app, runner, name, message):
    result = _import(runner, FIXTURES / name)
    assert result.exit_code == 1
    assert message in result.output and "line " in result.output
    with app.app_context():
        assert set(_counts().values()) == {0}


def test_truncated_file_names_line_and_column(runner):
    result = _import(runner, FIXTURES / "truncated.xml")
    assert "(line 141, column 7)" in result.output


def test_not_wxr_refused(app, runner, tmp_path):
    rss = tmp_path / "feed.xml"
    rss.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>')
    result = _import(runner, rss)
    assert result.exit_code == 1 and "not a WordPress export" in result.output
    html = tmp_path / "page.xml"
    html.write_text("<html><body/></html>")
    assert "root element is <html>" in _import(runner, html).output


def test_old_links_redirect(app, runner, client):
    assert _import(runner, SITE).exit_code == 0
    for old in ("/2024/05/ferry-returns/", "/ferry-returns/", "/?p=101"):
        response = client.get(old)
        assert response.status_code == 301, old
        assert response.headers["Location"] == "/articles/ferry-returns"
    assert client.get("/2024/04/東京/").headers["Location"] == "/articles/unicode-slug"
    assert client.get("/?p=102").status_code == 404  # a draft's link leads nowhere yet
    assert client.get("/?p=999").status_code == 404
    assert client.get("/?p=abc").status_code == 400


def _snapshot():
    """What a round trip must keep: articles, authors, tags, comments, statuses and threading (not ids)."""
    articles = {}
    for a in db.session.scalars(sa.select(Article).options(sa.orm.selectinload(Article.tags))):
        articles[a.title] = (
            a.slug,
            a.status,
            a.published_at,
            a.summary,
            a.body_html,
            a.comments_open,
            a.comment_count,
            sorted(t.name for t in a.tags),
            db.session.get(User, a.author_id).email,
        )
    authors = sorted((u.email, u.display_name, u.bio_html) for u in db.session.scalars(sa.select(User)))
    by_id = {c.id: c for c in db.session.scalars(sa.select(Comment))}
    titles = dict(db.session.execute(sa.select(Article.id, Article.title)).all())

    def key(c):
        return (titles[c.article_id], c.author_name, c.created_at)

    comments = sorted(
        (*key(c), c.author_email, c.status, c.body_html, c.depth, key(by_id[c.parent_id]) if c.parent_id else None)
        for c in by_id.values()
    )
    return articles, authors, comments


def test_round_trip(app, runner, tmp_path):
    from blog import create_app
    from tests.conftest import app_config

    assert _import(runner, SITE).exit_code == 0
    exported = tmp_path / "export.xml"
    result = runner.invoke(args=["blog", "export-wxr", "--output", str(exported)])
    assert result.exit_code == 0, result.output
    text = exported.read_text(encoding="utf-8")
    assert "<wp:wxr_version>1.2</wp:wxr_version>" in text and "with ]]&gt; inside" in text
    assert "192.0.2.15" not in text  # only the keyed hash of an IP was kept
    with app.app_context():
        before = _snapshot()

    fresh = create_app(
        app_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/fresh.sqlite3"), instance_path=str(tmp_path)
    )
    with fresh.app_context():
        db.create_all()
    again = fresh.test_cli_runner().invoke(args=["blog", "import-wxr", str(exported)])
    assert again.exit_code == 0, again.output
    with fresh.app_context():
        after = _snapshot()
        db.session.remove()
        db.engine.dispose()
    assert after[1] == before[1]
    assert after[2] == before[2]
    assert after[0] == before[0]
