"""users.session_token and security_events: sessions that end, and the security log

Each user gets a random session token, Flask-Login's alternative id: replacing it ends every session and
remember-me cookie of that user. Existing users get one each (in batches), so everyone signed in before the
upgrade signs in again once. ``security_events`` is new: sign-ins, password and role changes, deactivations,
with a keyed IP hash; nothing to backfill.

Revision ID: f1173a8efc94
Revises: d8e26ee83a75
Create Date: 2026-12-03 07:18:16.941537

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f1173a8efc94"
down_revision = "d8e26ee83a75"
branch_labels = None
depends_on = None

BATCH = 500


def upgrade():
    op.create_table(
        "security_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("ip_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_security_events_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_security_events_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_events")),
    )
    op.create_index(op.f("ix_security_events_created_at"), "security_events", ["created_at"], unique=False)
    op.create_index("ix_security_events_user_id_id", "security_events", ["user_id", "id"], unique=False)

    op.add_column("users", sa.Column("session_token", sa.String(length=64), nullable=True))
    users = sa.table("users", sa.column("id", sa.Integer()), sa.column("session_token", sa.String()))
    conn = op.get_bind()
    last = 0
    while ids := conn.scalars(sa.select(users.c.id).where(users.c.id > last).order_by(users.c.id).limit(BATCH)).all():
        for user_id in ids:
            conn.execute(users.update().where(users.c.id == user_id).values(session_token=secrets.token_urlsafe(32)))
        last = ids[-1]
    with op.batch_alter_table("users") as batch_op:
        batch_op.alter_column("session_token", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_users_session_token"), ["session_token"])


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_session_token"), type_="unique")
        batch_op.drop_column("session_token")
    op.drop_index("ix_security_events_user_id_id", table_name="security_events")
    op.drop_index(op.f("ix_security_events_created_at"), table_name="security_events")
    op.drop_table("security_events")
