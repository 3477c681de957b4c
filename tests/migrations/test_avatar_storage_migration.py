"""Upgrading a site whose author photos are files on one node's disk: they move into the database."""

import hashlib
import io

import flask_migrate
import pytest
import sqlalchemy as sa
from PIL import Image

from blog.extensions import db
from tests.migrations.old_site import database_url, insert_article, insert_author, insert_comment, site_at

BEFORE_PICTURES = "d192e602a595"


def webp(color) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), color).save(out, "WEBP")
    return out.getvalue()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_photos_on_disk_move_into_the_database_and_back(request, tmp_path, backend):
    photo = webp((10, 120, 200))
    folder = tmp_path / "avatars"  # the default AVATAR_FOLDER: instance/avatars
    folder.mkdir()
    (folder / "1-0123456789abcdef.webp").write_bytes(photo)
    with site_at(BEFORE_PICTURES, database_url(request, tmp_path, backend), tmp_path) as app:
        with db.engine.begin() as conn:
            insert_author(conn)
            insert_article(conn, 1, "beacon", "Words.")
            insert_comment(conn, 1, 1, "reader@example.net")
            conn.execute(
                sa.text(
                    "INSERT INTO users (id, email, role, display_name, slug, bio_markdown, bio_html, website, "
                    "social_links, is_active, created_at, updated_at, avatar_path) VALUES (2, 'm@example.org', "
                    "'author', 'Mo Lost', 'mo-lost', '', '', '', '{}', true, '2026-01-01', '2026-01-01', "
                    "'2-fedcba9876543210.webp')"  # its file is gone: the photo is dropped
                )
            )
            conn.execute(sa.text("UPDATE users SET avatar_path = '1-0123456789abcdef.webp' WHERE id = 1"))
        flask_migrate.upgrade()
        key = hashlib.sha256(photo).hexdigest()
        users = dict(db.session.execute(sa.text("SELECT id, avatar_path FROM users")).all())
        assert users == {1: f"{key}.webp", 2: None}
        # articles gained lead_media_id (SQLite copies the table): its rows, comments and indexes are all there
        assert db.session.execute(sa.text("SELECT id, lead_media_id FROM articles")).all() == [(1, None)]
        assert db.session.scalar(sa.text("SELECT count(*) FROM comments")) == 1
        index = {
            "sqlite": "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'ix_articles_lower_title'",
            "postgresql": "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_articles_lower_title'",
        }[backend]
        assert db.session.scalar(sa.text(index)) == 1
        [(kind, owner)] = db.session.execute(sa.text("SELECT kind, uploaded_by_id FROM media")).all()
        assert (kind, owner) == ("avatar", 1)
        [(stored_key, data)] = db.session.execute(sa.text("SELECT key, data FROM media_files")).all()
        assert (stored_key, bytes(data)) == (key, photo)
        db.session.rollback()
        with app.test_client() as client:
            served = client.get(f"/media/{key}.webp")
            assert (served.status_code, served.data) == (200, photo)

        (folder / "1-0123456789abcdef.webp").unlink()
        flask_migrate.downgrade(revision=BEFORE_PICTURES)
        users = dict(db.session.execute(sa.text("SELECT id, avatar_path FROM users")).all())
        assert users == {1: f"1-{key[:16]}.webp", 2: None}
        assert (folder / f"1-{key[:16]}.webp").read_bytes() == photo
        db.session.rollback()
