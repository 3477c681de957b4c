"""The migrations build exactly the schema the models describe, and unwind cleanly."""

import warnings

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from blog import create_app
from blog.extensions import db


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """As in migrations/env.py: the full-text search tables are dialect-specific DDL, not models."""
    return not (type_ == "table" and name.startswith("search_"))


# Indexes on expressions: SQLite's reflection skips them (with a warning), so there they are checked by name.
EXPRESSION_INDEXES = {"ix_articles_lower_title", "ix_import_runs_one_active"}


def schema_diff() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        if conn.dialect.name != "sqlite":
            return compare_metadata(context, db.metadata)
        present = set(conn.scalars(sa.text("SELECT name FROM sqlite_master WHERE type = 'index'")))
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
            warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
            diff = compare_metadata(context, db.metadata)
        return diff + [("missing expression index", name) for name in sorted(EXPRESSION_INDEXES - present)]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_matches_models_and_downgrade_to_base(request, tmp_path, backend):
    url = f"sqlite:///{tmp_path}/migrated.sqlite3" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url}, instance_path=str(tmp_path))
    with app.app_context():
        flask_migrate.upgrade()
        assert schema_diff() == []
        flask_migrate.downgrade(revision="base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
        flask_migrate.upgrade()
        assert schema_diff() == []
        db.engine.dispose()


def test_migrations_never_import_app_code():
    from pathlib import Path

    versions = Path(__file__).resolve().parents[2] / "migrations" / "versions"
    files = list(versions.glob("*.py"))
    assert files
    for path in files:
        source = path.read_text()
        assert "import blog" not in source and "from blog" not in source, path.name
