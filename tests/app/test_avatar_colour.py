"""Each comment stores its avatar colour when written, so the public thread never reads an email address."""

import json

import pytest
import sqlalchemy as sa

from blog.core import privacy
from blog.extensions import db
from blog.models import Comment, CommentStatus
from tests.app.test_importer import EXPORT
from tests.helpers import parse


def stored_colours(app) -> list[tuple[int, int]]:
    """(stored colour, the colour the app gives the comment's address) for every comment."""
    with app.app_context():
        rows = db.session.execute(sa.select(Comment.avatar_colour, Comment.author_email)).all()
        return [(colour, privacy.avatar_colour(app.config["HASH_KEY"], email)) for colour, email in rows]


def test_an_anonymous_article_page_never_reads_an_email(client, count_queries, make_article, make_comment):
    article_id = make_article("The harbour vote", slug="harbour")
    first = make_comment(article_id, name="Ada Lovelace", email="ada@example.net")
    make_comment(article_id, name="Grace Hopper", email="grace@example.net", parent_id=first, minutes=1)
    make_comment(article_id, name="Held Back", email="held@example.net", status=CommentStatus.PENDING, minutes=2)
    with count_queries() as statements:
        page = parse(client.get("/articles/harbour"))

    avatars = page.xpath("//li[starts-with(@id, 'comment-')]//*[contains(concat(' ', @class, ' '), ' avatar ')]")
    assert [a.text_content() for a in avatars] == ["AL", "GH"]
    assert any("avatar_colour" in s for s in statements)  # the thread was read from the database
    assert [s for s in statements if "author_email" in s] == []


@pytest.mark.parametrize(
    "keys", ["derived", pytest.param("set", marks=pytest.mark.app_config(HASH_KEY="site-hash-key"))]
)
def test_a_comment_through_the_form_stores_its_colour(app, make_article, post_comment, keys):
    make_article("The harbour vote", slug="harbour")
    assert post_comment("harbour", email="Pat@Example.net").status_code == 303
    ((colour, expected),) = stored_colours(app)
    assert colour == expected == privacy.avatar_colour(app.config["HASH_KEY"], "pat@example.net")


def test_imported_and_demo_comments_store_their_colours(app, runner, tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(EXPORT))
    assert runner.invoke(args=["blog", "load-fixture", str(path)]).exit_code == 0
    assert runner.invoke(args=["blog", "seed-demo"]).exit_code == 0
    pairs = stored_colours(app)
    assert len(pairs) > len(EXPORT["comments"])
    assert all(colour == expected for colour, expected in pairs)
