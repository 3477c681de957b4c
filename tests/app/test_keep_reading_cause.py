"""A new article sharing two tags with four published ones got no automatic pick (issue: Keep Reading)."""

from tests.app.test_related import stored_picks

OLDER = [
    ("Harbour dredging contract awarded", "dredging-contract", "dredging"),
    ("Pilot boats get a new berth", "pilot-berth", "pilots"),
    ("Quay wall repairs start in spring", "quay-wall", "quay-wall"),
    ("Container crane arrives by barge", "container-crane", "cranes"),
]


def test_a_new_article_sharing_two_tags_with_four_gets_picks(app, make_article):
    # Four published stories of the port, each with the two shared tags and one tag of its own.
    ids = [
        make_article(
            title,
            slug=slug,
            body=f"The {own} story told in words of its own: crews, tides and paperwork.",
            summary="",
            tags=("port", "harbour-board", own),
        )
        for title, slug, own in OLDER
    ]
    # The new one shares the two tags; its words are its own, and so are two more of its tags.
    new = make_article(
        "Board meeting minutes published",
        slug="board-minutes",
        body="Minutes of the monthly meeting were posted online, listing attendance and the next date.",
        summary="",
        tags=("port", "harbour-board", "minutes", "transparency"),
    )
    assert sorted(stored_picks(app, new)) == sorted(ids)
