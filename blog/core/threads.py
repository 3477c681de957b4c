"""Arrange flat comments into display order for a threaded list."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Generic, NamedTuple, Protocol, TypeVar


class Threadable(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def parent_id(self) -> int | None: ...


T = TypeVar("T", bound=Threadable)


class ThreadEntry(NamedTuple, Generic[T]):  # a named tuple: one per comment shown, cheap to build
    comment: T
    depth: int


def thread(comments: Sequence[T], *, max_depth: int, newest_first: bool = False) -> list[ThreadEntry[T]]:
    """Depth-first order, siblings in the given (oldest-first) order; with ``newest_first`` the top-level
    comments come in the reverse order, each still followed by its replies oldest first (a conversation reads
    forwards).

    A reply whose parent is not in ``comments`` (not approved, say) is shown as a top-level
    comment rather than lost; replies deeper than ``max_depth`` are shown at the deepest level.
    """
    present = {c.id for c in comments}
    children: dict[int | None, list[T]] = defaultdict(list)
    for c in comments:
        parent = c.parent_id if c.parent_id in present else None
        children[parent].append(c)

    ordered: list[ThreadEntry[T]] = []
    deepest = max_depth - 1
    roots = children[None]
    stack = [(c, 0) for c in (roots if newest_first else reversed(roots))]
    while stack:
        comment, depth = stack.pop()
        ordered.append(ThreadEntry(comment, min(deepest, depth)))
        if replies := children.get(comment.id):
            stack.extend((child, depth + 1) for child in reversed(replies))
    return ordered
