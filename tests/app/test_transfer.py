"""`flask blog export-json`, `backup` and `restore`: everything out, and a whole database back."""

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from blog import create_app
from blog.extensions import db
from blog.services import transfer
from tests.conftest import app_config

SITE = Path(__file__).resolve().parent.parent / "fixtures" / "wxr" / "site.xml"


@pytest.fixture
def imported(runner):
    result = runner.invoke(args=["blog", "import-wxr", str(SITE)])
    assert result.exit_code == 0, result.output


def test_export_json_lines(app, runner, imported, tmp_path):
    out = tmp_path / "site.jsonl"
    result = runner.invoke(args=["blog", "export-json", "--output", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records[0]["type"] == "export" and records[0]["format"] == "kestrel-jsonl" and records[0]["version"] == 1
    kinds = [r["type"] for r in records]
    assert kinds.count("author") == 2 and kinds.count("article") == 6 and kinds.count("tag") == 4
    assert kinds.count("comment") == 9 and kinds.count("moderation_event") == 9 and kinds.count("settings") == 1
    assert all("password_hash" not in r and "session_token" not in r for r in records)
    comments = {r["wp_id"]: r for r in records if r["type"] == "comment"}
    assert comments[12]["parent_id"] == comments[11]["id"] and comments[16]["depth"] == 5
    assert comments[18]["status"] == "spam" and comments[11]["author_email"] == "ase.berg@readers.example"
    ferry = next(r for r in records if r["type"] == "article" and r["wp_post_id"] == 101)
    assert ferry["tags"] == ["harbour", "smr", "weather"] and ferry["published_at"].startswith("2024-05-14T07:30")
    assert records[kinds.index("settings")]["site_title"] == "Fjord Ledger — Ålesund"


def _fresh_database(database_url: str, tmp_path) -> str:
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path}/restored.sqlite3"
    base = sa.engine.make_url(database_url)
    fresh = base.set(database=f"{base.database}_restored")
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{fresh.database}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{fresh.database}"'))
    engine.dispose()
    return fresh.render_as_string(hide_password=False)


def test_backup_and_restore_keep_every_table(app, runner, imported, database_url, tmp_path):
    if not database_url.startswith("sqlite") and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    backup = tmp_path / "site.backup"
    result = runner.invoke(args=["blog", "backup", str(backup)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        before = transfer.table_counts()
    assert before["comments"] == 9 and before["redirects"] > 0

    fresh = create_app(
        app_config(SQLALCHEMY_DATABASE_URI=_fresh_database(database_url, tmp_path)), instance_path=str(tmp_path)
    )
    restored = fresh.test_cli_runner().invoke(args=["blog", "restore", str(backup)])
    assert restored.exit_code == 0, restored.output
    with fresh.app_context():
        assert transfer.table_counts() == before
        db.session.remove()
        db.engine.dispose()
    again = fresh.test_cli_runner().invoke(args=["blog", "restore", str(backup)])
    assert again.exit_code == 1 and ("not empty" in again.output or "already has tables" in again.output)
    with fresh.app_context():
        assert transfer.table_counts() == before  # the refusal changed nothing
        db.session.remove()
        db.engine.dispose()


def test_backup_without_pg_dump_explains(app, runner, database_url, tmp_path, monkeypatch):
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only: SQLite backs up with its own API")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = runner.invoke(args=["blog", "backup", str(tmp_path / "x")])
    assert result.exit_code == 1 and "pg_dump is not installed" in result.output
