"""Upgrading a site with tagged articles: each one's section is the tag its kicker showed (the alphabetically
first), so no page changes; an article without tags has none."""

import flask_migrate
import pytest
import sqlalchemy as sa

from blog.extensions import db
from tests.migrations.old_site import database_url, insert_article, insert_author, site_at

BEFORE_NEWSROOM = "d192e602a595"
ARTICLES = 1_003  # more than the migration's batch of 1,000


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_backfills_the_section_with_the_first_tag(request, tmp_path, backend):
    with site_at(BEFORE_NEWSROOM, database_url(request, tmp_path, backend), tmp_path) as app:
        with db.engine.begin() as conn:
            insert_author(conn)
            conn.execute(
                sa.text("INSERT INTO tags (id, slug, name) VALUES (1, 'sport', 'Sport'), (2, 'community', 'Community')")
            )
            for n in range(1, ARTICLES + 1):
                insert_article(conn, n, f"beacon-{n}", "Text.")
                if n % 2:  # odd: both tags, the later name linked first; even: no tags
                    conn.execute(
                        sa.text("INSERT INTO article_tags (article_id, tag_id) VALUES (:a, 1), (:a, 2)"), {"a": n}
                    )
        flask_migrate.upgrade()
        sections = dict(
            db.session.execute(
                sa.select(sa.column("id"), sa.column("section_tag_id")).select_from(sa.table("articles"))
            ).all()
        )
        assert sections == {n: 2 if n % 2 else None for n in range(1, ARTICLES + 1)}
        db.session.remove()
        page = app.test_client().get("/articles/beacon-1").get_data(as_text=True)
        assert 'class="kicker"><a href="/tags/community">Community</a>' in page
