"""Alembic environment, run through Flask-Migrate (``flask --app blog db …``).

Revisions never import application code: custom column types render as plain SQLAlchemy types
(see ``blog.orm.render_item``, passed in by ``create_app``).
"""

import logging
from contextlib import contextmanager
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def get_engine():
    return target_db.engine


config.set_main_option("sqlalchemy.url", get_engine().url.render_as_string(hide_password=False).replace("%", "%%"))


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"), target_metadata=target_db.metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def include_object(obj, name, type_, reflected, compare_to):
    """Leave the full-text search tables to the revisions: they are dialect-specific DDL (an FTS5
    virtual table and its shadow tables on SQLite, a tsvector table on PostgreSQL), not models."""
    return not (type_ == "table" and name.startswith("search_"))


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        # Never write an empty revision when autogenerate finds nothing.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = current_app.extensions["migrate"].configure_args
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("include_object", include_object)
    with get_engine().connect() as connection, foreign_keys_off_on_sqlite(connection):
        context.configure(connection=connection, target_metadata=target_db.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()


@contextmanager
def foreign_keys_off_on_sqlite(connection):
    """SQLite alters a table in batch mode by copying it, dropping the original and renaming the copy. With
    foreign keys on (the app's connections have them), dropping the original first deletes its rows, which
    fires the ON DELETE actions of every table that refers to it: SET NULL would empty a comment's audit
    events and its replies' parents. Off for the run, as Alembic advises; the pragma is ignored inside a
    transaction, hence set between them, and checked before the connection goes back to the pool."""
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
    connection.commit()
    try:
        yield
    finally:
        connection.rollback()
        connection.exec_driver_sql("PRAGMA foreign_keys = ON")
        connection.commit()
    problems = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if problems:
        raise RuntimeError(f"the migration left rows whose foreign keys point nowhere: {problems[:10]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
