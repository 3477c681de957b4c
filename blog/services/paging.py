"""Keyset paging of comment lists, newest first: the desk's tabs, the Reported tab and the commenter view.

A position is a row's ``(created_at, id)`` (``?before=`` / ``?after=``, written by ``inputs.format_cursor``):
"Older" lists the rows after the page's last one, "Newer" the rows before its first one, in the same order. No
OFFSET, so a page deep in a long list costs what the first one does, and a comment that arrives or leaves while
someone pages neither repeats nor hides another one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from blog import inputs
from blog.models import Comment

T = TypeVar("T")


@dataclass(frozen=True)
class Cursor:
    """A position in the newest-first list: (created_at, id) of a row."""

    created_at: datetime
    id: int

    def token(self) -> str:
        return inputs.format_cursor(self.created_at, self.id)

    @classmethod
    def parse(cls, token: str | None) -> Cursor | None:
        found = inputs.parse_cursor(token)
        return None if found is None else cls(*found)


def keyset(before: Cursor | None, after: Cursor | None) -> tuple[list[sa.ColumnElement[bool]], tuple[Any, ...]]:
    """The conditions and the ORDER BY of one page of comments: older than ``before``, or newer than ``after``
    (read oldest first, then turned round by ``page``), or the newest."""
    where: list[sa.ColumnElement[bool]] = []
    if before is not None:
        where.append(
            sa.or_(
                Comment.created_at < before.created_at,
                sa.and_(Comment.created_at == before.created_at, Comment.id < before.id),
            )
        )
    elif after is not None:
        where.append(
            sa.or_(
                Comment.created_at > after.created_at,
                sa.and_(Comment.created_at == after.created_at, Comment.id > after.id),
            )
        )
    if after is not None and before is None:
        return where, (Comment.created_at, Comment.id)
    return where, (Comment.created_at.desc(), Comment.id.desc())


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    older: Cursor | None  # the "Older" link's position (None: this page is the oldest)
    newer: Cursor | None  # the "Newer" link's position (None: this page is the newest)


def page(
    rows: list[T], *, per_page: int, before: Cursor | None, after: Cursor | None, position: Callable[[T], Cursor]
) -> Page[T]:
    """One page from up to ``per_page`` + 1 rows read in ``keyset``'s order (the extra row says there is more)."""
    newest_first = after is None or before is not None
    more = len(rows) > per_page
    rows = rows[:per_page]
    if not newest_first:
        rows.reverse()
    has_older = more if newest_first else True
    has_newer = (before is not None) if newest_first else more
    return Page(
        items=rows,
        older=position(rows[-1]) if rows and has_older else None,
        newer=position(rows[0]) if rows and has_newer else None,
    )


def position_of(comment: Comment) -> Cursor:
    return Cursor(comment.created_at, comment.id)
