"""The declarative base, the UTC datetime type and helpers shared by every model."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.engine import processors
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session, registry

NAMING_CONVENTION = {
    "pk": "pk_%(table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC, and refuses naive datetimes on the way in."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime (blog.orm.utcnow)")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)

    def result_processor(self, dialect: sa.Dialect, coltype: Any):
        """On SQLite, where the value is ISO text, parse it together with its UTC offset: one C call instead
        of parse, ``replace(tzinfo=…)`` and two Python calls, for each date of each row (a page of comments
        has fifty; docs/performance.md). Same result as the general path (``process_result_value``), which
        text of another shape (an offset already there, a date alone) still takes."""
        if self.impl_instance.result_processor(dialect, coltype) is not processors.str_to_datetime:
            return super().result_processor(dialect, coltype)
        parse = datetime.fromisoformat

        def process(value: str | None) -> datetime | None:
            if value is None:
                return None
            try:
                found = parse(value + "+00:00")
            except ValueError:  # an offset already there
                found = None
            if found is None or found.tzinfo is None:  # a date alone takes the "+00:00" for nothing
                found = parse(value).replace(tzinfo=UTC)
            return found

        return process


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        # float as DOUBLE, as the migrations have it: SQLAlchemy 2.1 maps it so by default, 2.0 to FLOAT, which
        # `flask db check` on SQLite then reported as a change to migrate.
        type_annotation_map={datetime: UTCDateTime(), float: sa.Double()},
    )


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Alembic hook: write our custom types as plain SQLAlchemy types so migrations never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def enum_column_type(enum_cls: type) -> sa.Enum:
    """A string enum stored by value as VARCHAR (portable, no native ENUM to migrate)."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=16,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


@sa.event.listens_for(Session, "do_orm_execute")
def _read_requests_without_transaction(state: ORMExecuteState) -> None:
    """On PostgreSQL a GET or HEAD runs its statements in autocommit: no BEGIN and ROLLBACK round trips, and
    psycopg keeps the statements it prepared (it forgets them all at every ROLLBACK). Nothing is lost: under
    PostgreSQL's READ COMMITTED each statement takes its own snapshot inside a transaction too, and a GET
    never writes (state changes are POSTs, behind the forgery checks)."""
    session = state.session
    if session.in_transaction() or not has_request_context() or request.method not in ("GET", "HEAD"):
        return
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def is_busy(error: sa.exc.DBAPIError) -> bool:
    """SQLite gave up waiting for its write lock (``SQLITE_BUSY_TIMEOUT_MS``): another process held it, an import's
    last step or a migration. The request's transaction is rolled back; the same request succeeds a little later."""
    code = getattr(error.orig, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY  # with the extended codes (BUSY_SNAPSHOT …)
