"""Upgrading a site with import runs: each gets a heartbeat, and a run stuck "running" before the upgrade is
then seen as stopped, so it blocks nothing. Two left queued or running by an old race: the older is failed."""

from datetime import UTC, datetime

import flask_migrate
import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import ImportRun, ImportState
from blog.services import wxr_import
from tests.migrations.old_site import database_url, site_at

BEFORE_HEARTBEAT = "8be29543f5b1"


def _insert(conn, ident: int, state: str, created: str, finished: str | None = None) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO import_runs (id, filename, path, state, bytes_total, bytes_done, summary, created_at, "
            "finished_at) VALUES (:id, :name, '/gone', :state, 10, 5, '{}', :created, :finished)"
        ),
        {"id": ident, "name": f"run{ident}.xml", "state": state, "created": created, "finished": finished},
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_gives_runs_a_heartbeat_and_leaves_one_active(request, tmp_path, backend):
    with site_at(BEFORE_HEARTBEAT, database_url(request, tmp_path, backend), tmp_path):
        with db.engine.begin() as conn:
            _insert(conn, 1, "done", "2026-01-01 08:00:00", "2026-01-01 08:30:00")
            _insert(conn, 2, "running", "2026-01-01 10:00:00")
            _insert(conn, 3, "queued", "2026-01-02 09:00:00")
        flask_migrate.upgrade()
        runs = {run.id: run for run in db.session.scalars(sa.select(ImportRun))}
        assert {i: run.updated_at for i, run in runs.items()} == {
            1: datetime(2026, 1, 1, 8, 30, tzinfo=UTC),  # finished: its last sign of life
            2: datetime(2026, 1, 1, 10, 0, tzinfo=UTC),
            3: datetime(2026, 1, 2, 9, 0, tzinfo=UTC),
        }
        assert runs[2].state is ImportState.FAILED and runs[2].finished_at == runs[2].updated_at
        assert runs[2].error == "stopped: another import was running at the same time"
        assert runs[1].state is ImportState.DONE and runs[3].state is ImportState.QUEUED
        assert wxr_import.is_stopped(runs[3], datetime.now(UTC))  # stuck since January: it blocks nothing
        db.session.rollback()
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:  # a second active row is refused
            _insert(conn, 4, "running", "2026-12-01 10:00:00")
        flask_migrate.downgrade(revision=BEFORE_HEARTBEAT)
        assert "updated_at" not in {c["name"] for c in sa.inspect(db.engine).get_columns("import_runs")}
        with db.engine.begin() as conn:
            _insert(conn, 4, "running", "2026-12-01 10:00:00")  # the old schema allowed it
