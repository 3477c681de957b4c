"""Configuration precedence: defaults -> instance/config.py -> environment."""

import pytest

from blog import create_app
from blog.config import normalise_db_url


@pytest.fixture
def clean_env(monkeypatch):
    for name in (
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "MAIL_SERVER",
        "MAIL_PORT",
        "BLOG_ARTICLES_PER_PAGE",
        "BLOG_SITE_NAME",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults_put_sqlite_in_the_instance_folder(tmp_path, clean_env):
    app = create_app(instance_path=str(tmp_path))
    assert not app.testing
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///blog.sqlite3"
    with app.app_context():
        from blog.extensions import db

        assert db.engine.url.database == str(tmp_path / "blog.sqlite3")


def test_instance_config_overrides_defaults_and_environment_overrides_both(tmp_path, clean_env):
    (tmp_path / "config.py").write_text("SECRET_KEY = 'from-file'\nARTICLES_PER_PAGE = 7\nSITE_NAME = 'File Name'\n")
    app = create_app(instance_path=str(tmp_path))
    assert (app.config["SECRET_KEY"], app.config["ARTICLES_PER_PAGE"], app.config["SITE_NAME"]) == (
        "from-file",
        7,
        "File Name",
    )

    clean_env.setenv("SECRET_KEY", "from-env")
    clean_env.setenv("BLOG_ARTICLES_PER_PAGE", "12")
    clean_env.setenv("DATABASE_URL", "postgres://u:p@localhost/blog")
    clean_env.setenv("MAIL_SERVER", "smtp.example.org")
    clean_env.setenv("MAIL_PORT", "2525")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["ARTICLES_PER_PAGE"] == 12  # JSON-parsed by from_prefixed_env
    assert app.config["SITE_NAME"] == "File Name"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@localhost/blog"
    assert (app.config["MAIL_SERVER"], app.config["MAIL_PORT"]) == ("smtp.example.org", 2525)


def test_test_config_ignores_the_environment(tmp_path, clean_env):
    clean_env.setenv("SECRET_KEY", "from-env")
    app = create_app({"SECRET_KEY": "from-test", "SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=str(tmp_path))
    assert app.config["SECRET_KEY"] == "from-test"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///blog.sqlite3", "sqlite:///blog.sqlite3"),
    ],
)
def test_normalise_db_url(given, expected):
    assert normalise_db_url(given) == expected


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(tmp_path):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3", "SECRET_KEY": "x"}, instance_path=str(tmp_path)
    )
    with app.app_context():
        from sqlalchemy import text

        from blog.extensions import db

        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        db.engine.dispose()
