"""comments: avatar_colour, chosen when the comment is written

The public thread coloured each commenter's initials by hashing their email on every view, so it read
the email column. The colour is now stored with the comment. Existing comments get theirs here, once
per distinct address, keyed with the site's HASH_KEY as the app holds it (``current_app.config``:
set, or derived from SECRET_KEY by ``create_app``), in batches. The column defaults to 0, so a node still
running older code during a rolling deploy keeps storing comments (in the first colour).

Revision ID: 70257701663f
Revises: 35deeca07e6c
Create Date: 2026-12-02 13:32:00.000000

"""

import hashlib
import hmac

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = "70257701663f"
down_revision = "35deeca07e6c"
branch_labels = None
depends_on = None

BATCH = 1000
AVATAR_COLOURS = 12
comments = sa.table("comments", sa.column("author_email", sa.String), sa.column("avatar_colour", sa.SmallInteger))


def avatar_colour(hash_key, email):
    """blog.core.privacy.avatar_colour, written out: a migration does not import the app (the migration
    test checks that the two agree)."""
    key = hash_key.encode() if isinstance(hash_key, str) else hash_key
    digest = hmac.new(key, b"avatar:" + email.strip().lower().encode(), hashlib.sha256).hexdigest()
    return int(digest[:8], 16) % AVATAR_COLOURS


def upgrade():
    # NOT NULL with a default: SQLite adds it in place (no table copy) and older code can still insert.
    op.add_column(
        "comments", sa.Column("avatar_colour", sa.SmallInteger(), nullable=False, server_default=sa.text("0"))
    )

    conn = op.get_bind()
    hash_key = current_app.config["HASH_KEY"]
    paint = (
        comments.update()
        .where(comments.c.author_email == sa.bindparam("email"))
        .values(avatar_colour=sa.bindparam("colour"))
    )
    addresses = sa.select(comments.c.author_email).distinct().order_by(comments.c.author_email).limit(BATCH)
    batch = conn.scalars(addresses).all()
    while batch:
        conn.execute(paint, [{"email": email, "colour": avatar_colour(hash_key, email)} for email in batch])
        batch = conn.scalars(addresses.where(comments.c.author_email > batch[-1])).all()


def downgrade():
    # Not in batch mode: SQLite drops a column itself since 3.35, without copying the table.
    op.drop_column("comments", "avatar_colour")
