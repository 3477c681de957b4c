"""Keep Reading: which links an article shows, and in what order.

Pure: takes plain values, returns plain values. The discovery issue adds scoring of automatic
picks; this module already fixes the contract: curated links first in the editor's order, then
automatic picks, never the article itself, never the same target twice, at most ``size`` links.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ReadingLink:
    title: str
    article_slug: str | None = None  # one of ours
    url: str | None = None  # or an external page

    @property
    def key(self) -> str:
        return f"article:{self.article_slug}" if self.article_slug else f"url:{self.url}"


def keep_reading(
    curated: Iterable[ReadingLink], automatic: Iterable[ReadingLink], *, own_slug: str, size: int
) -> list[ReadingLink]:
    chosen: list[ReadingLink] = []
    seen = {f"article:{own_slug}"}
    for link in (*curated, *automatic):
        if len(chosen) >= size:
            break
        if link.key in seen:
            continue
        seen.add(link.key)
        chosen.append(link)
    return chosen
