"""Everything out, and a whole database back: the JSON Lines export, backup and restore.

``json_lines()`` yields the site as JSON Lines (docs/data.md describes every record): a header, then the
settings, authors (staff accounts, without password hashes, session tokens or second-factor secrets), tags,
articles (with their tags and section), comments (with status, parent and the commenter's address: this export
is for the site's owners, never public) and the moderation log. Tables are read a page at a time in id order.

``backup(path)`` makes a consistent copy: on SQLite with its online backup API (the site keeps running); on
PostgreSQL with ``pg_dump --format=custom`` when it is installed (``BackupError`` says what to do otherwise).
``restore(path)`` puts one back into an empty database (SQLite: one without content; PostgreSQL: one without
tables, restored with ``pg_restore``).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess  # nosec B404: pg_dump and pg_restore, found with shutil.which, arguments a list
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from blog.extensions import db
from blog.models import (
    Article,
    Comment,
    ModerationEvent,
    SiteSettings,
    Tag,
    User,
    article_tags,
)
from blog.orm import utcnow

FORMAT = "kestrel-jsonl"
VERSION = 1
PAGE = 1000
# Never exported, whoever asks: secrets of the accounts.
PRIVATE_USER_COLUMNS = frozenset({"password_hash", "session_token"})


class BackupError(RuntimeError):
    """The backup or restore cannot run; the message says why and what to do."""


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _rows(table: sa.Table, *, skip: frozenset[str] = frozenset()) -> Iterator[dict[str, Any]]:
    columns = [c for c in table.columns if c.name not in skip]
    after = None
    key = table.c.id
    while True:
        query = sa.select(*columns).order_by(key).limit(PAGE)
        if after is not None:
            query = query.where(key > after)
        page = db.session.execute(query).mappings().all()
        if not page:
            return
        for row in page:
            yield {name: _value(value) for name, value in row.items()}
        after = page[-1]["id"]


def _table(model: type[Any]) -> sa.Table:
    table: sa.Table = model.__table__
    return table


def json_lines() -> Iterator[str]:
    """The export, one JSON document per line (each ends with a newline)."""

    def line(kind: str, data: dict[str, Any]) -> str:
        return json.dumps({"type": kind, **data}, ensure_ascii=False, separators=(",", ":")) + "\n"

    yield line("export", {"format": FORMAT, "version": VERSION, "created_at": utcnow().isoformat()})
    for row in _rows(_table(SiteSettings)):
        yield line("settings", row)
    for row in _rows(_table(User), skip=PRIVATE_USER_COLUMNS):
        yield line("author", row)
    for row in _rows(_table(Tag)):
        yield line("tag", row)
    for row in _rows(_table(Article)):
        tags = db.session.scalars(
            sa.select(Tag.slug)
            .join(article_tags, article_tags.c.tag_id == Tag.id)
            .where(article_tags.c.article_id == row["id"])
            .order_by(Tag.slug)
        ).all()
        yield line("article", {**row, "tags": list(tags)})
    for row in _rows(_table(Comment)):
        yield line("comment", row)
    for row in _rows(_table(ModerationEvent)):
        yield line("moderation_event", row)


# --- backup and restore -------------------------------------------------------------------------------------


def _backend() -> str:
    return db.engine.url.get_backend_name()


def _libpq_url() -> str:
    """The database URL as pg_dump reads it (no SQLAlchemy driver part)."""
    return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def backup(path: str) -> str:
    """Write a consistent copy of the database to ``path``; returns how it was made."""
    if _backend() == "sqlite":
        with db.engine.connect() as connection:
            source = connection.connection.driver_connection
            assert isinstance(source, sqlite3.Connection)  # noqa: S101  (the sqlite backend's driver)
            target = sqlite3.connect(path)
            try:
                source.backup(target)  # SQLite's online backup API: a consistent snapshot, writers keep going
            finally:
                target.close()
        return "SQLite online backup"
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError(
            "This site runs on PostgreSQL, whose consistent copies are made by pg_dump, and pg_dump is not "
            "installed here (Debian: apt-get install postgresql-client). Install it and run this again, or "
            "run `pg_dump --format=custom` against DATABASE_URL yourself."
        )
    subprocess.run([pg_dump, "--format=custom", "--no-owner", f"--file={path}", _libpq_url()], check=True)  # noqa: S603  # nosec B603
    return "pg_dump --format=custom"


CONTENT_TABLES = ("users", "articles", "comments", "tags")


def restore(path: str) -> str:
    """Put the backup at ``path`` back into this (empty) database; returns how."""
    inspector = sa.inspect(db.engine)
    names = set(inspector.get_table_names())
    if _backend() == "sqlite":
        for table in CONTENT_TABLES:
            if table in names and db.session.scalar(sa.text(f"SELECT count(*) FROM {table}")):  # noqa: S608  (fixed names)
                raise BackupError(f"The database is not empty (its {table} table has rows): restore into a new one.")
        db.session.rollback()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            with db.engine.connect() as connection:
                target = connection.connection.driver_connection
                assert isinstance(target, sqlite3.Connection)  # noqa: S101
                source.backup(target)
        finally:
            source.close()
        db.engine.dispose()
        return "SQLite online backup, in reverse"
    if names:
        raise BackupError(
            "The database already has tables: pg_restore puts a backup into an empty database "
            "(createdb a new one and point DATABASE_URL at it)."
        )
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        raise BackupError("pg_restore is not installed here (Debian: apt-get install postgresql-client).")
    db.session.rollback()
    db.engine.dispose()
    subprocess.run([pg_restore, "--no-owner", f"--dbname={_libpq_url()}", path], check=True)  # noqa: S603  # nosec B603
    return "pg_restore"


def table_counts() -> dict[str, int]:
    """Rows in every table of the database (what a restore is checked by)."""
    names = sorted(sa.inspect(db.engine).get_table_names())
    return {name: int(db.session.scalar(sa.text(f'SELECT count(*) FROM "{name}"')) or 0) for name in names}  # noqa: S608
