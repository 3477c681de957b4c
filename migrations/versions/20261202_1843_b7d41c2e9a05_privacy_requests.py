"""privacy_requests: the audit trail of personal-data exports and erasures

Each export or erasure of a person's data (by themselves through the mailed link, by an admin, or from the
command line) is recorded with the actor, the action and the counts, naming the address only by a keyed hash. A
new table, nothing to backfill.

Revision ID: b7d41c2e9a05
Revises: ef533ec80618
Create Date: 2026-12-02 18:43:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7d41c2e9a05"
down_revision = "ef533ec80618"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "privacy_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_hash", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_privacy_requests_actor_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_requests")),
    )
    op.create_index(op.f("ix_privacy_requests_created_at"), "privacy_requests", ["created_at"], unique=False)
    op.create_index(op.f("ix_privacy_requests_person_hash"), "privacy_requests", ["person_hash"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_privacy_requests_person_hash"), table_name="privacy_requests")
    op.drop_index(op.f("ix_privacy_requests_created_at"), table_name="privacy_requests")
    op.drop_table("privacy_requests")
