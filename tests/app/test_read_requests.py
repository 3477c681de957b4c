"""On PostgreSQL a GET runs its statements without a transaction, so the server keeps them prepared."""

import pytest
import sqlalchemy as sa

from blog.extensions import db


@pytest.fixture
def on_postgresql(app):
    if not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        pytest.skip("SQLite has no server to prepare statements on")


def server_prepared(app) -> list[str]:
    with app.app_context():
        found = db.session.execute(sa.text("SELECT statement FROM pg_prepared_statements")).scalars().all()
        db.session.rollback()
    return found


def test_article_page_statements_stay_prepared_between_readers(on_postgresql, app, client, make_article, make_comment):
    article = make_article("Prepared once", slug="prepared-once")
    make_comment(article, body="First!")
    for _ in range(8):  # psycopg prepares a statement on its fifth use on a connection
        assert client.get("/articles/prepared-once").status_code == 200
    prepared = server_prepared(app)
    assert any("WITH RECURSIVE" in statement for statement in prepared), prepared
