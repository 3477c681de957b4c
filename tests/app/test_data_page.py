"""The admins' import and export page: the WordPress import as a background job, one at a time, and downloads."""

import io
from pathlib import Path

import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, Comment, ImportRun, ImportState, ModerationEvent

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
    with app.app_context():
        db.session.add(
            ImportRun(filename="big.xml", path="/nonexistent", state=ImportState.RUNNING, actor_id=admin, summary={})
        )
        db.session.commit()
    page = client.get("/editorial/data").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "disabled" in page  # the running import's progress
    refused = _upload(client, "site.xml")
    assert refused.status_code == 409
    assert "already running (big.xml" in refused.get_data(as_text=True)
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
