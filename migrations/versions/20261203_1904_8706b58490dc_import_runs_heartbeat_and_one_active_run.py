"""import_runs.updated_at (the heartbeat) and at most one queued or running import (issue 23)

A run whose process died stayed "running" for ever and refused every later import. Its heartbeat now tells a
live run from a stopped one; existing rows get their last known sign of life (finished_at, else created_at).
The partial unique index over a constant keeps two uploads started at once from both running. Should an
earlier race have left several rows queued or running, all but the newest are marked failed first.

SQLite: the NOT NULL needs batch mode (a copy of this small table), which would drop an expression index, so the
index is created after it and dropped before it on the way down.

Revision ID: 8706b58490dc
Revises: 8be29543f5b1
Create Date: 2026-12-03 19:04:03.339696

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8706b58490dc"
down_revision = "8be29543f5b1"
branch_labels = None
depends_on = None

ACTIVE = "state IN ('queued', 'running')"


def upgrade():
    op.add_column("import_runs", sa.Column("updated_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE import_runs SET updated_at = COALESCE(finished_at, created_at)")
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.alter_column("updated_at", existing_type=sa.DateTime(), nullable=False)
    op.execute(
        "UPDATE import_runs SET state = 'failed', finished_at = updated_at,"
        " error = 'stopped: another import was running at the same time'"
        " WHERE state IN ('queued', 'running')"
        " AND id < (SELECT max(id) FROM import_runs WHERE state IN ('queued', 'running'))"
    )
    op.create_index(
        "ix_import_runs_one_active",
        "import_runs",
        [sa.literal_column("(1)")],
        unique=True,
        sqlite_where=sa.text(ACTIVE),
        postgresql_where=sa.text(ACTIVE),
    )


def downgrade():
    op.drop_index("ix_import_runs_one_active", table_name="import_runs")
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
