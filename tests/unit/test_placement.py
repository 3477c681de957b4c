"""Where Keep Reading goes inside the body (blog.core.placement), on bodies as the renderer stores them."""

from __future__ import annotations

import re

from blog.core import placement, sanitize

BOX = "<aside>BOX</aside>"


def body(markdown: str) -> str:
    return sanitize.render_article(markdown)


def placed(markdown: str, *, enabled: bool = True) -> str:
    cut = placement.split(body(markdown), enabled=enabled)
    return cut.before + (BOX if enabled else "") + cut.after


def blocks(html: str) -> list[str]:
    """Each top-level block's first words, and the box: the order a reader meets them in."""
    return re.findall(r"<aside>BOX</aside>|<(?:p|h2|h3|ul|blockquote)>([^<]*)", html.replace(BOX, "<p>BOX"))


def paragraphs(n: int, prefix: str = "P") -> list[str]:
    return [f"{prefix}{i} words of the story." for i in range(1, n + 1)]


def test_seed_anatomy_box_before_the_sub_heading_about_two_thirds_through():
    # The seed page: three paragraphs, a sub-heading, three more, a sub-heading (the box before it), three more.
    text = "\n\n".join([*paragraphs(3), "## First turn", *paragraphs(3, "Q"), "## Second turn", *paragraphs(3, "R")])
    order = blocks(placed(text))
    assert order.index("BOX") == order.index("Second turn") - 1
    assert order[order.index("BOX") - 1] == "Q3 words of the story."


def test_without_sub_headings_after_the_paragraph_nearest_two_thirds():
    order = blocks(placed("\n\n".join(paragraphs(9))))
    assert order[:7] == [*(f"P{i} words of the story." for i in range(1, 7)), "BOX"]
    order = blocks(placed("\n\n".join(paragraphs(4))))
    assert order.index("BOX") == 3  # after P3: round(8/3)


def test_short_articles_get_the_box_at_the_end():
    for n in (0, 1, 2, 3):
        html = placed("\n\n".join(paragraphs(n)))
        assert html.endswith(BOX), n
        assert placement.split(body("\n\n".join(paragraphs(n)))).at_end


def test_never_before_the_second_paragraph():
    # The only sub-heading comes after the first paragraph: not a place for the box.
    text = "\n\n".join([paragraphs(1)[0], "## Early turn", *paragraphs(5, "Q")])
    order = blocks(placed(text))
    assert order.index("BOX") > order.index("Q1 words of the story.")
    assert order.index("BOX") >= 3


def test_never_between_a_sub_heading_and_its_first_paragraph():
    for n in range(4, 16):
        for heading_at in range(n + 1):
            parts = paragraphs(n)
            parts.insert(heading_at, "## Turn")
            order = blocks(placed("\n\n".join(parts)))
            at = order.index("BOX")
            assert order[at - 1] != "Turn", (n, heading_at)
            assert sum(1 for b in order[:at] if b.startswith("P")) >= 2, (n, heading_at)


def test_quotes_and_lists_stay_with_their_paragraph_when_the_slot_is_a_sub_heading():
    text = "\n\n".join([*paragraphs(4), "> a quote", "## Turn", *paragraphs(2, "Q")])
    order = blocks(placed(text))
    assert order[order.index("BOX") + 1] == "Turn"


def test_the_marker_places_the_box_exactly_and_never_shows():
    text = "\n\n".join([*paragraphs(2), "[keep-reading]", *paragraphs(6, "Q")])
    html = body(text)
    assert "[keep-reading]" not in html and placement.MARKER in html
    order = blocks(placed(text))
    assert order[:3] == ["P1 words of the story.", "P2 words of the story.", "BOX"]
    # on its own line, even without blank lines around it; spaces around it are allowed
    html = placed("P1 one.\n  [keep-reading]  \nP2 two.\n\nP3 three.\n\nP4 four.\n\nP5 five.")
    assert blocks(html)[:3] == ["P1 one.", "BOX", "P2 two."]
    # in the text of a sentence it is just text
    assert "[keep-reading] here" in body("Put [keep-reading] here.")


def test_only_the_first_marker_counts():
    html = placed("A one.\n\n[keep-reading]\n\nB two.\n\n[keep-reading]\n\nC three.")
    assert html.count(BOX) == 1 and placement.MARKER not in html
    assert blocks(html) == ["A one.", "BOX", "B two.", "C three."]


def test_turned_off_no_box_and_no_marker():
    text = "\n\n".join([*paragraphs(2), "[keep-reading]", *paragraphs(6, "Q")])
    cut = placement.split(body(text), enabled=False)
    assert cut.after == "" and placement.MARKER not in cut.before
    assert blocks(cut.before) == [*paragraphs(2), *paragraphs(6, "Q")]


def test_feeds_and_indexes_get_the_text_without_the_marker():
    html = body("A one.\n\n[keep-reading]\n\nB two.")
    assert placement.without_marker(html) == "<p>A one.</p>\n<p>B two.</p>"
    assert "keep" not in placement.source_without_marker("A one.\n[keep-reading]\nB two.")


def test_a_typed_html_comment_is_no_marker():
    html = body("A one.\n\n<!--keep-reading-->\n\nB two.\n\nC three.\n\nD four.\n\nE five.")
    assert placement.MARKER not in html
