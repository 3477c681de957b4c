"""security_events.actor_label: who acted when no account did ("command line (<os user>)")

Revision ID: 49de448492df
Revises: b452cdb9b637
Create Date: 2026-12-03 13:26:43.215728

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "49de448492df"
down_revision = "b452cdb9b637"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("security_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_label", sa.String(length=80), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("security_events", schema=None) as batch_op:
        batch_op.drop_column("actor_label")
