"""commenter bans, reader reports, comments.author_key and network_hash, site_settings.unpublish_after_reports

Editors ban a commenter's address or network (commenter_bans) and readers report published comments
(comment_reports), by keyed hashes only. Each comment gets the keyed hash of its address (author_key: the
commenter view's URL), computed here for the comments already stored, with the site's HASH_KEY; and of its
network (network_hash), which older comments never had: they can be banned by address only.

Revision ID: dcfb19890530
Revises: 49de448492df
Create Date: 2026-12-03 13:29:21.120864

"""

import hashlib
import hmac

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = "dcfb19890530"
down_revision = "49de448492df"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "comment_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("network_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_comment_reports_comment_id_comments"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_reports")),
        sa.UniqueConstraint("comment_id", "network_hash", name=op.f("uq_comment_reports_comment_id_network_hash")),
    )
    with op.batch_alter_table("comment_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comment_reports_created_at"), ["created_at"], unique=False)

    op.create_table(
        "commenter_bans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("address", "network", name="bankind", native_enum=False, length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_commenter_bans_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_commenter_bans_comment_id_comments"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commenter_bans")),
        sa.UniqueConstraint("kind", "key_hash", name=op.f("uq_commenter_bans_kind_key_hash")),
    )
    with op.batch_alter_table("commenter_bans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commenter_bans_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_commenter_bans_comment_id"), ["comment_id"], unique=False)

    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("network_hash", sa.String(length=64), server_default="", nullable=False))
        batch_op.add_column(sa.Column("author_key", sa.String(length=64), server_default="", nullable=False))
        batch_op.create_index(batch_op.f("ix_comments_author_key"), ["author_key"], unique=False)

    with op.batch_alter_table("site_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unpublish_after_reports", sa.Integer(), server_default="3", nullable=False))
    _fill_author_keys()


BATCH = 1000


def _fill_author_keys() -> None:
    """author_key = HMAC(HASH_KEY, "person:" + address) (core.privacy.person_key), one address at a time."""
    key = current_app.config["HASH_KEY"]
    key = key.encode() if isinstance(key, str) else key
    comments = sa.table("comments", sa.column("author_email", sa.String), sa.column("author_key", sa.String))
    bind = op.get_bind()
    while True:
        addresses = bind.scalars(
            sa.select(comments.c.author_email).where(comments.c.author_key == "").distinct().limit(BATCH)
        ).all()
        if not addresses:
            return
        for address in addresses:
            digest = hmac.new(key, b"person:" + address.strip().lower().encode(), hashlib.sha256).hexdigest()
            bind.execute(sa.update(comments).where(comments.c.author_email == address).values(author_key=digest))


def downgrade():
    with op.batch_alter_table("site_settings", schema=None) as batch_op:
        batch_op.drop_column("unpublish_after_reports")

    # Not in batch mode: on SQLite that copies the table, reflecting the articles table it refers to, whose
    # expression index (ix_articles_lower_title) Alembic cannot reflect. SQLite drops a column itself since 3.35.
    op.drop_index(op.f("ix_comments_author_key"), table_name="comments")
    op.drop_column("comments", "author_key")
    op.drop_column("comments", "network_hash")

    with op.batch_alter_table("commenter_bans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commenter_bans_comment_id"))
        batch_op.drop_index(batch_op.f("ix_commenter_bans_actor_id"))

    op.drop_table("commenter_bans")
    with op.batch_alter_table("comment_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_reports_created_at"))

    op.drop_table("comment_reports")
