"""`blog load-fixture`: importing an export (the benchmark fixture's format) through the models."""

import json

import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, Comment, CommentStatus, RelatedLink

EXPORT = {
    "site": {"title": "The Test Gazette", "tagline": "All the news that fits"},
    "author": {
        "login": "mr",
        "display_name": "Mia Reyes",
        "email": "Mia@Example.com",
        "url": "https://example.com/mia",
        "bio": "Covers the city.",
    },
    "post": {
        "slug": "main-story",
        "title": "Main story",
        "tags": ["city council", "parks"],
        "date": "2024-05-14 09:30:00",
        "paragraphs": ["First paragraph.", "Second paragraph."],
    },
    "others": [
        {
            "slug": f"other-{n}",
            "title": f"Other {n}",
            "tags": ["parks"],
            "date": f"2024-05-1{n} 08:00:00",
            "paragraphs": [f"Other text {n}."],
        }
        for n in range(3)
    ],
    "comments": [
        {
            "author": f"Reader {n}",
            "email": f"reader{n}@example.com",
            "url": "https://example.com" if n % 7 == 0 else "",
            "date": f"2024-05-14 10:{n:02d}:00",
            "text": f"Comment {n}",
        }
        for n in range(12)
    ],
}


def test_load_fixture(app, runner, client, tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(EXPORT))
    result = runner.invoke(args=["blog", "load-fixture", str(path), "--preview-comments", "5"])
    assert result.exit_code == 0, result.output
    assert "created 5 articles, 17 comments, 1 users" in result.output
    again = runner.invoke(args=["blog", "load-fixture", str(path)])
    assert "created 0 articles, 0 comments, 0 users" in again.output

    with app.app_context():
        main = db.session.scalar(sa.select(Article).where(Article.slug == "main-story"))
        full = db.session.scalar(sa.select(Article).where(Article.slug == "main-story-full-thread"))
        assert (main.comment_count, full.comment_count) == (5, 12)
        assert main.published_at.isoformat() == "2024-05-14T09:30:00+00:00"
        statuses = set(db.session.scalars(sa.select(Comment.status)))
        assert statuses == {CommentStatus.APPROVED}
        links = db.session.scalars(
            sa.select(RelatedLink.target_article_id)
            .where(RelatedLink.article_id == main.id, RelatedLink.kind == "curated")
            .order_by(RelatedLink.position)
        ).all()
        assert len(links) == 3
    page = client.get("/articles/main-story").get_data(as_text=True)
    assert "The Test Gazette" in page and "Comment 4" in page and "Comment 5" not in page
    assert "reader0@example.com" not in page and "mia@example.com" not in page.lower()


def test_load_fixture_refuses_a_bad_file(app, runner, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"post": {}}')
    result = runner.invoke(args=["blog", "load-fixture", str(path)])
    assert result.exit_code == 1
    assert "Cannot import" in result.output
    path.write_text("not json")
    result = runner.invoke(args=["blog", "load-fixture", str(path)])
    assert result.exit_code == 1 and "Cannot import" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Article)) == 0
