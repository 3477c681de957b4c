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


class ImportRun(Model):
    """A WordPress import started from the admin page: its file, how far it has read, and its summary.

    One at a time: a new one is refused while another is queued or running (services.wxr_import)."""

    __tablename__ = "import_runs"

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
    finished_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<ImportRun {self.id} {self.state}>"
