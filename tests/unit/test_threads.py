from dataclasses import dataclass

from blog.core.threads import thread


@dataclass(frozen=True)
class C:
    id: int
    parent_id: int | None = None


def shape(entries):
    return [(e.comment.id, e.depth) for e in entries]


def test_replies_follow_their_parent_depth_first():
    comments = [C(1), C(2), C(3, 1), C(4, 3), C(5, 1), C(6)]
    assert shape(thread(comments, max_depth=5)) == [(1, 0), (3, 1), (4, 2), (5, 1), (2, 0), (6, 0)]


def test_orphans_become_top_level():
    assert shape(thread([C(2, 99), C(3)], max_depth=5)) == [(2, 0), (3, 0)]


def test_depth_is_capped_for_display():
    chain = [C(1)] + [C(i, i - 1) for i in range(2, 9)]
    assert [d for _, d in shape(thread(chain, max_depth=3))] == [0, 1, 2, 2, 2, 2, 2, 2]


def test_newest_first_reverses_the_top_level_only():
    from collections import namedtuple

    from blog.core.threads import thread

    C = namedtuple("C", "id parent_id")
    comments = [C(1, None), C(2, None), C(3, 1), C(4, 1), C(5, 3)]
    order = [(e.comment.id, e.depth) for e in thread(comments, max_depth=5, newest_first=True)]
    assert order == [(2, 0), (1, 0), (3, 1), (5, 2), (4, 1)]
    assert [e.comment.id for e in thread(comments, max_depth=5)] == [1, 3, 5, 4, 2]
