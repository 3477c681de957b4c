"""Side effects that must happen only after the database commit succeeds (mail, cache purges).

``after_commit(db.session, fn, *args)`` queues a call on the session; it runs once the session
commits and is dropped if it rolls back. Queued calls get plain values, not ORM objects: the
session is between transactions when they run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_KEY = "outbox"


def after_commit(session: Any, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    session.info.setdefault(_KEY, []).append((fn, args, kwargs))


@event.listens_for(Session, "after_commit")
def _run(session: Session) -> None:
    if session.in_nested_transaction():  # a SAVEPOINT released (begin_nested): the transaction goes on
        return
    for fn, args, kwargs in session.info.pop(_KEY, []):
        try:
            fn(*args, **kwargs)
        except Exception:  # a failed notification must not turn a stored comment into an error
            log.exception("after-commit task %s failed", getattr(fn, "__name__", fn))


@event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    if session.in_nested_transaction():  # a SAVEPOINT rolled back: the transaction goes on
        return
    session.info.pop(_KEY, None)
