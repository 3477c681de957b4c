"""The admins' import and export page: the WordPress import as a background job, one at a time, and downloads."""

import io
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from blog import create_app
from blog.extensions import db
from blog.models import Article, Comment, ImportRun, ImportState, ModerationEvent
from blog.orm import utcnow
from blog.services import users, wxr_import
from tests.app.test_comment_count_race import wait_for
from tests.conftest import PASSWORD, app_config
from tests.helpers import page_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "wxr"


def _upload(client, name):
    data = {"export": (io.BytesIO((FIXTURES / name).read_bytes()), name)}
    return client.post("/editorial/data/import", data=data, content_type="multipart/form-data")


def test_admin_imports_a_file_as_a_job(app, client, sign_in, tmp_path):
    admin = sign_in("admin")
    response = _upload(client, "site.xml")
    assert response.status_code == 303 and response.headers["Location"] == "/editorial/data"
    page = client.get("/editorial/data")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "site.xml" in text and "done" in text and "9 created (6 approved, 1 pending, 1 spam, 1 trash)" in text
    assert "ferry.jpg" in text and 'http-equiv="refresh"' not in text  # finished: the page stops refreshing
    with app.app_context():
        run = db.session.scalar(sa.select(ImportRun))
        assert run.state is ImportState.DONE and run.bytes_done == run.bytes_total > 0
        assert not Path(run.path).exists()  # the upload is deleted once imported
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 9
        actors = set(
            db.session.scalars(sa.select(ModerationEvent.actor_id).where(ModerationEvent.action == "imported"))
        )
        assert actors == {admin}


def test_a_damaged_file_fails_with_line_and_column(app, client, sign_in):
    sign_in("admin")
    assert _upload(client, "truncated.xml").status_code == 303
    text = client.get("/editorial/data").get_data(as_text=True)
    assert "failed" in text and "not well-formed XML" in text and "line 141, column 7" in text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Article)) == 0


def test_a_second_import_is_refused_while_one_runs(app, client, sign_in):
    admin = sign_in("admin")
    beat = utcnow() - timedelta(minutes=14)  # quiet for a while, but within IMPORT_STALE_MINUTES (15)
    with app.app_context():
        db.session.add(
            ImportRun(
                filename="big.xml",
                path="/nonexistent",
                state=ImportState.RUNNING,
                actor_id=admin,
                summary={},
                updated_at=beat,
            )
        )
        db.session.commit()
    page = client.get("/editorial/data")
    assert 'http-equiv="refresh"' in page.get_data(as_text=True) and "disabled" in page.get_data(as_text=True)
    assert "big.xml — running" in page_text(page) and "no progress since" not in page_text(page)
    refused = _upload(client, "site.xml")
    assert refused.status_code == 409
    assert f"already running (big.xml, started {beat:%Y-%m-%d} " in page_text(refused)
    assert f"last progress {beat:%H:%M} UTC): wait until it has finished" in page_text(refused)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportRun)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Article)) == 0


def test_no_file_is_a_clear_422(client, sign_in):
    sign_in("admin")
    response = client.post("/editorial/data/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose a WordPress export file" in response.get_data(as_text=True)


def test_downloads(app, client, sign_in, runner):
    assert runner.invoke(args=["blog", "import-wxr", str(FIXTURES / "site.xml")]).exit_code == 0
    sign_in("admin")
    wxr = client.get("/editorial/data/export/wxr")
    assert wxr.status_code == 200 and wxr.mimetype == "application/rss+xml"
    assert "attachment" in wxr.headers["Content-Disposition"] and "private" in wxr.headers["Cache-Control"]
    assert "<wp:wxr_version>1.2</wp:wxr_version>" in wxr.get_data(as_text=True)
    jsonl = client.get("/editorial/data/export/jsonl")
    assert jsonl.status_code == 200 and jsonl.get_data(as_text=True).count('"type":"comment"') == 9
    assert client.get("/editorial/data/export/csv").status_code == 404


# --- An import whose process died (issue 23): the heartbeat, stopped runs, one at a time under races ------------


def _run(app, **row) -> int:
    with app.app_context():
        run = ImportRun(filename="big.xml", path="/nonexistent", summary={}, **row)
        db.session.add(run)
        db.session.commit()
        return run.id


def _state(app, run_id):
    with app.app_context():
        return db.session.execute(sa.select(ImportRun.state, ImportRun.error).where(ImportRun.id == run_id)).one()


def _killed_after(monkeypatch, commits: int) -> None:
    """The worker's process goes after this many committed batches (of 2 comments), as when it is killed: what
    was committed stays, the rest is lost and the run stays "running" (a KeyboardInterrupt: Huey logs the task
    as interrupted and records nothing, and the job writes no outcome)."""
    real = wxr_import.import_wxr

    def import_wxr(path, *, on_batch, **options):
        made = []

        def commit_then_die():
            on_batch()
            made.append(1)
            if len(made) == commits:
                raise KeyboardInterrupt

        return real(path, on_batch=commit_then_die, **{**options, "batch_size": 2})

    monkeypatch.setattr(wxr_import, "import_wxr", import_wxr)


def _time_passes(app, minutes: int) -> None:
    with app.app_context():
        for run in db.session.scalars(sa.select(ImportRun)):
            run.created_at -= timedelta(minutes=minutes)
            run.updated_at -= timedelta(minutes=minutes)
        db.session.commit()


def _since(beat) -> str:
    """How the page writes a heartbeat: the time, with the date unless it is today's."""
    return beat.strftime("%H:%M" if beat.date() == utcnow().date() else "%Y-%m-%d %H:%M")


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_an_import_whose_worker_died_is_shown_stopped_and_the_same_file_continues_it(app, client, sign_in, monkeypatch):
    sign_in("admin")
    _killed_after(monkeypatch, 2)
    assert _upload(client, "site.xml").status_code == 303
    with app.app_context():
        (run,) = db.session.scalars(sa.select(ImportRun))
        assert run.state is ImportState.RUNNING and run.finished_at is None
        assert _count(Comment) == 4 and _count(Article) == 1  # two batches were committed before it went
        leftover = run.path
    assert Path(leftover).exists()

    # Within IMPORT_STALE_MINUTES it still counts as running: the page refreshes and a new import is refused.
    page = client.get("/editorial/data")
    assert "site.xml — running" in page_text(page) and 'http-equiv="refresh"' in page.get_data(as_text=True)
    assert _upload(client, "site.xml").status_code == 409

    _time_passes(app, 20)
    with app.app_context():
        beat = db.session.scalar(sa.select(ImportRun.updated_at))
    page = client.get("/editorial/data")
    text = page_text(page)
    assert f"site.xml — stopped (no progress since {_since(beat)} UTC)" in text
    assert "Import the same file again to continue where it stopped" in text
    assert "% read" not in text and "site.xml — running" not in text
    html = page.get_data(as_text=True)
    assert 'http-equiv="refresh"' not in html and "disabled" not in html  # the Import button works again

    monkeypatch.undo()
    assert _upload(client, "site.xml").status_code == 303
    text = page_text(client.get("/editorial/data"))
    assert "stopped: no progress for 20 minutes (the process was probably restarted)" in text
    assert "site.xml — done" in text and "site.xml — failed" in text
    assert "already imported" in text  # the second run found what the first had written
    with app.app_context():
        runs = db.session.scalars(sa.select(ImportRun).order_by(ImportRun.id)).all()
        assert [r.state for r in runs] == [ImportState.FAILED, ImportState.DONE]
        assert runs[0].finished_at is not None and runs[0].error.startswith("stopped: no progress for 20 minutes")
        # Continued, not doubled: exactly what one uninterrupted import writes (test_admin_imports_a_file_as_a_job).
        assert _count(Comment) == 9 and _count(Article) == 6
        assert _count(ModerationEvent) == 9
        depths = dict(db.session.execute(sa.select(Comment.wp_id, Comment.depth)).all())
        assert [depths[wp_id] for wp_id in (11, 12, 13, 14, 15, 16)] == [0, 1, 2, 3, 4, 5]
    assert not Path(leftover).exists()  # the stopped run's upload went with it


@pytest.mark.parametrize(
    ("state", "why", "message"),
    [
        (
            ImportState.RUNNING,
            "Its process was probably restarted.",
            "stopped: no progress for 16 minutes (the process was probably restarted)",
        ),
        (
            ImportState.QUEUED,
            "The job worker never started it: is it running?",
            "stopped: not started for 16 minutes (is the job worker running?)",
        ),
    ],
)
def test_a_stopped_run_no_longer_blocks_a_new_import(app, client, sign_in, state, why, message):
    admin = sign_in("admin")
    beat = utcnow() - timedelta(minutes=16)
    stale = _run(app, state=state, actor_id=admin, created_at=beat - timedelta(hours=2), updated_at=beat)
    assert f"big.xml — stopped (no progress since {_since(beat)} UTC)" in page_text(client.get("/editorial/data"))
    assert f"{why} Import the same file again to continue" in page_text(client.get("/editorial/data"))
    assert _upload(client, "site.xml").status_code == 303
    assert _state(app, stale) == (ImportState.FAILED, f"{message}. {wxr_import.CONTINUE}")
    text = page_text(client.get("/editorial/data"))
    assert f"big.xml — failed, started {beat - timedelta(hours=2):%Y-%m-%d %H:%M} UTC {message}" in text
    assert "site.xml — done" in text


def test_the_heartbeat_moves_with_every_progress_update(app, client, sign_in, monkeypatch):
    sign_in("admin")
    start = utcnow()
    ticks = iter(range(1, 100_000))
    monkeypatch.setattr(wxr_import, "utcnow", lambda: start + timedelta(seconds=next(ticks)))
    beats = []
    real = wxr_import.import_wxr

    def import_wxr(path, *, on_progress, **options):
        def progress(done, total):
            on_progress(done, total)
            beats.append(db.session.execute(sa.select(ImportRun.bytes_done, ImportRun.updated_at)).one())

        return real(path, on_progress=progress, **{**options, "batch_size": 2})

    monkeypatch.setattr(wxr_import, "import_wxr", import_wxr)
    assert _upload(client, "site.xml").status_code == 303
    with app.app_context():
        run = db.session.scalar(sa.select(ImportRun))
        assert run.state is ImportState.DONE
        created, finished, last = run.created_at, run.finished_at, run.updated_at
    assert len(beats) > 5
    times = [when for _, when in beats]
    assert times == sorted(set(times))  # each update a later heartbeat
    assert created < times[0] and last == finished > times[-1]


# --- The command line's import is a run too: listed, and one at a time with the page's ------------------------------


def test_a_command_line_import_is_listed_on_the_page_and_keeps_the_operators_file(
    app, client, sign_in, runner, tmp_path
):
    export = tmp_path / "site.xml"
    export.write_bytes((FIXTURES / "site.xml").read_bytes())
    result = runner.invoke(args=["blog", "import-wxr", str(export)])
    assert result.exit_code == 0 and "Imported" in result.output
    assert export.exists()  # the operator's file, not an upload of ours
    sign_in("admin")
    text = page_text(client.get("/editorial/data"))
    assert "site.xml (command line) — done" in text and "comments" in text


def test_the_command_line_waits_for_an_import_under_way(app, runner):
    _run(app, state=ImportState.RUNNING, created_at=utcnow(), updated_at=utcnow())  # e.g. an upload's
    refused = runner.invoke(args=["blog", "import-wxr", str(FIXTURES / "site.xml")])
    assert refused.exit_code == 1 and "An import is already running (big.xml" in refused.output
    with app.app_context():
        assert _count(Article) == 0


def test_ctrl_c_on_the_command_line_fails_the_run_at_once(app, client, sign_in, runner, monkeypatch):
    _killed_after(monkeypatch, 2)  # a KeyboardInterrupt after two committed batches
    interrupted = runner.invoke(args=["blog", "import-wxr", str(FIXTURES / "site.xml")])
    assert interrupted.exit_code != 0
    with app.app_context():
        (run,) = db.session.scalars(sa.select(ImportRun))
        assert run.state is ImportState.FAILED and run.error.startswith("Interrupted from the command line.")
        assert _count(Comment) == 4  # what was committed stays
    monkeypatch.undo()
    sign_in("admin")
    assert _upload(client, "site.xml").status_code == 303  # not held up for IMPORT_STALE_MINUTES


# Two admins' uploads at the same moment: both find no import under way, then both insert.


def _shared_database(database_url: str, tmp_path) -> str:
    """A database two apps can open: PostgreSQL's (emptied by the app fixture), or a SQLite file."""
    return f"sqlite:///{tmp_path}/shared.sqlite3" if database_url.startswith("sqlite") else database_url


def _queue_only(url: str, tmp_path, name: str):
    """Another web process: its queue has a worker that has not run yet, so its import stays queued."""
    return create_app(
        app_config(SQLALCHEMY_DATABASE_URI=url, JOBS_BACKEND="sqlite", JOBS_SQLITE_PATH=str(tmp_path / f"{name}.db")),
        instance_path=str(tmp_path / name),
    )


def _write_site(path: str) -> None:
    Path(path).write_bytes((FIXTURES / "site.xml").read_bytes())


def test_two_uploads_at_once_start_one_import(app, database_url, tmp_path, monkeypatch):
    url = _shared_database(database_url, tmp_path)
    first = create_app(app_config(SQLALCHEMY_DATABASE_URI=url), instance_path=str(tmp_path / "first"))
    other = _queue_only(url, tmp_path, "other")
    try:
        with first.app_context():
            if url.startswith("sqlite"):
                db.create_all()
            users.create_user(email="ada@example.org", name="Ada Admin", role="admin", password=PASSWORD)
            db.session.commit()
        client = first.test_client()
        assert client.post("/login", data={"email": "ada@example.org", "password": PASSWORD}).status_code == 303
        real_save = FileStorage.save

        def save(upload, dst, *args, **kwargs):
            real_save(upload, dst, *args, **kwargs)
            # Meanwhile another admin's upload, which also found no import under way, is saved and committed.
            with other.app_context():
                wxr_import.start_run(_write_site, "other.xml", folder=str(tmp_path / "theirs"), actor_id=None)
                db.session.commit()

        monkeypatch.setattr(FileStorage, "save", save)
        refused = _upload(client, "site.xml")
        assert refused.status_code == 409
        assert "An import is already queued (other.xml" in page_text(refused)
        with first.app_context():
            assert db.session.execute(sa.select(ImportRun.filename, ImportRun.state)).all() == [
                ("other.xml", ImportState.QUEUED)
            ]
            assert _count(Article) == 0
        assert list((tmp_path / "first" / "imports").iterdir()) == []  # the refused upload is not kept
    finally:
        for each in (first, other):
            with each.app_context():
                db.engine.dispose()


def test_overlapping_starts_on_postgresql_wait_and_one_is_refused(app, database_url, tmp_path):
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite runs one writer at a time: the inserts cannot overlap there (the test above races them)")
    apps = {name: _queue_only(database_url, tmp_path, name) for name in ("slow", "fast")}
    outcomes: dict[str, object] = {}
    inserted, release = threading.Event(), threading.Event()

    def start(name: str, hold: bool = False) -> None:
        with apps[name].app_context():
            try:
                wxr_import.start_run(_write_site, f"{name}.xml", folder=str(tmp_path / name), actor_id=None)
            except wxr_import.ImportBusy as busy:
                outcomes[name] = str(busy)
                return
            if hold:
                inserted.set()
                release.wait(10)  # inserted, not committed, while the other one starts
            db.session.commit()
            outcomes[name] = "started"

    slow = threading.Thread(target=start, args=("slow", True))
    fast = threading.Thread(target=start, args=("fast",))
    try:
        slow.start()
        assert inserted.wait(10)
        fast.start()
        wait_for(app, "wait_event_type = 'Lock'")  # its INSERT waits on the unique index for the first's outcome
    finally:
        release.set()
        slow.join(10)
        fast.join(10)
        for each in apps.values():
            with each.app_context():
                db.engine.dispose()
    assert outcomes["slow"] == "started"
    assert str(outcomes["fast"]).startswith("An import is already queued (slow.xml")
    assert list((tmp_path / "fast").iterdir()) == []  # the refused upload is not kept
    with app.app_context():
        assert db.session.execute(sa.select(ImportRun.filename)).scalars().all() == ["slow.xml"]
