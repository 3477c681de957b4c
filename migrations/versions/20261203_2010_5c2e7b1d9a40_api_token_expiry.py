"""api_tokens.expires_at: a personal access token may expire (30 days, 90, a year, or never)

Tokens made before this keep working: they never expire, as when they were made.

Revision ID: 5c2e7b1d9a40
Revises: 8706b58490dc
Create Date: 2026-12-03 20:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5c2e7b1d9a40"
down_revision = "8706b58490dc"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.drop_column("expires_at")
