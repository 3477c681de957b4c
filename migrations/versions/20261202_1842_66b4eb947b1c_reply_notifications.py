"""reply notifications: mail_subscriptions, mail_notices, consent_records, and outbox_mails.headers

Commenters may ask to be told of replies (double opt-in), editors' held-comment mail gains one-click
unsubscribe, both with a rate limit and a daily digest; consents to "remember me" and to reply mail are
recorded with a time. Mail carries extra headers (List-Unsubscribe). New tables and a nullable column:
nothing to backfill.

Revision ID: 66b4eb947b1c
Revises: fdefd93169b2
Create Date: 2026-12-02 18:42:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "66b4eb947b1c"
down_revision = "fdefd93169b2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_mails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("headers", sa.JSON(), nullable=True))
    op.create_table(
        "mail_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column(
            "topic",
            sa.Enum("replies", "held", name="topic", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "delivery",
            sa.Enum("immediate", "daily", name="delivery", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("unsubscribed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_subscriptions")),
        sa.UniqueConstraint("email", "topic", name=op.f("uq_mail_subscriptions_email_topic")),
    )
    op.create_table(
        "mail_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("in_digest", sa.Boolean(), nullable=False),
        sa.Column("mail_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_mail_notices_comment_id_comments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["mail_id"], ["outbox_mails.id"], name=op.f("fk_mail_notices_mail_id_outbox_mails"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["mail_subscriptions.id"],
            name=op.f("fk_mail_notices_subscription_id_mail_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_notices")),
        sa.UniqueConstraint("subscription_id", "comment_id", name=op.f("uq_mail_notices_subscription_id_comment_id")),
    )
    op.create_index(op.f("ix_mail_notices_comment_id"), "mail_notices", ["comment_id"], unique=False)
    op.create_index("ix_mail_notices_sent_at_subscription_id", "mail_notices", ["sent_at", "subscription_id"])
    op.create_index(op.f("ix_mail_notices_mail_id"), "mail_notices", ["mail_id"], unique=False)
    op.create_table(
        "consent_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum("remember-me", "reply-mail", name="consentpurpose", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("given_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_consent_records_comment_id_comments"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_records")),
    )
    op.create_index(op.f("ix_consent_records_comment_id"), "consent_records", ["comment_id"], unique=False)
    op.create_index(op.f("ix_consent_records_email"), "consent_records", ["email"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_consent_records_email"), table_name="consent_records")
    op.drop_index(op.f("ix_consent_records_comment_id"), table_name="consent_records")
    op.drop_table("consent_records")
    op.drop_index("ix_mail_notices_sent_at_subscription_id", table_name="mail_notices")
    op.drop_index(op.f("ix_mail_notices_comment_id"), table_name="mail_notices")
    op.drop_table("mail_notices")
    op.drop_table("mail_subscriptions")
    with op.batch_alter_table("outbox_mails", schema=None) as batch_op:
        batch_op.drop_column("headers")
