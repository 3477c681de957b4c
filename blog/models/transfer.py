from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from blog.extensions import Model
from blog.orm import enum_column_type, utcnow


class ImportState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


ACTIVE_STATES = (ImportState.QUEUED, ImportState.RUNNING)


class ImportRun(Model):
    """A WordPress import started from the admin page: its file, how far it has read, and its summary.

    One at a time: a new one is refused while another is queued or running, unless that one has shown no sign of
    life (``updated_at``) for ``IMPORT_STALE_MINUTES``: its process is gone (services.wxr_import). The partial
    unique index holds the rule when two uploads start at once: at most one row is queued or running. (It is an
    expression index: SQLite's batch mode would drop it on a copy of the table, so a later migration that
    copies this table must create it again.)"""

    __tablename__ = "import_runs"
    __table_args__ = (
        sa.Index(
            "ix_import_runs_one_active",
            sa.literal_column("(1)"),  # the same key for every active row: a second one is a duplicate
            unique=True,
            sqlite_where=sa.text("state IN ('queued', 'running')"),  # ACTIVE_STATES
            postgresql_where=sa.text("state IN ('queued', 'running')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(sa.String(255))  # as uploaded, shown on the page
    path: Mapped[str] = mapped_column(sa.String(500))  # where the upload was saved (instance/imports/)
    state: Mapped[ImportState] = mapped_column(enum_column_type(ImportState), default=ImportState.QUEUED)
    bytes_total: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    bytes_done: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    summary: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    error: Mapped[str | None] = mapped_column(sa.Text)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The heartbeat: set when the run is created, when it starts, with every progress update and when it ends.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<ImportRun {self.id} {self.state}>"
