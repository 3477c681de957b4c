"""Automatic Keep Reading picks: precomputed on publish and edit, stored, shown after curated links."""

import pytest
import sqlalchemy as sa
from lxml import html as lxml_html

from blog.extensions import db
from blog.models import Article, RelatedKind, RelatedLink, RelatedTerm, RelatedTermCount, Tag
from blog.services import authoring, related
from tests.conftest import NOW

NEGOTIATION = [
    (
        "Ferry operator and unions resume pay negotiations",
        "pay-talks-resume",
        (
            "Negotiators for the ferry operator met union representatives to resume pay talks. The unions want a "
            "six per cent pay rise for deckhands and engineers; the operator has offered three."
        ),
    ),
    (
        "Ferry pay talks stall over overtime rates",
        "pay-talks-stall",
        (
            "Pay negotiations between the ferry operator and the crew unions stalled when union negotiators walked "
            "out over overtime rates for engineers and deckhands."
        ),
    ),
    (
        "Ferry strike averted as unions accept improved pay offer",
        "strike-averted",
        (
            "Union members accepted an improved pay offer from the ferry operator after a final round of "
            "negotiations: deckhands and engineers get a five per cent rise."
        ),
    ),
]
FOOTBALL = [
    (
        "Rovers beat Harbour Athletic in derby thriller",
        "derby-thriller",
        "Kestrel Bay Rovers beat Harbour Athletic in a football derby decided by a late header from the striker.",
    ),
    (
        "Rovers striker signs new contract",
        "striker-contract",
        "The football club has signed its striker, who headed the derby winner, to a new contract.",
    ),
]


def keep_reading(client, slug: str, *, fill: bool = False) -> list[str]:
    """The box's links (curated and related picks; ``fill``: also the section's latest, marked as such)."""
    doc = lxml_html.fromstring(client.get(f"/articles/{slug}").get_data(as_text=True))
    items = doc.xpath("//aside[@class='keep-reading']//li")
    return [
        href.rsplit("/", 1)[-1] if href.startswith("/articles/") else href
        for li in items
        if fill or not li.xpath("./span[@class='keep-reading-fill']")
        for href in li.xpath("./a/@href")
    ]


@pytest.fixture
def corpus(make_article):
    ids = {}
    for title, slug, body in NEGOTIATION:
        ids[slug] = make_article(title, slug=slug, body=body, summary="", tags=("ferries", "unions"))
    for title, slug, body in FOOTBALL:
        ids[slug] = make_article(title, slug=slug, body=body, summary="", tags=("sport",))
    return ids


def stored_picks(app, article_id: int) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(RelatedLink.target_article_id)
                .where(RelatedLink.article_id == article_id, RelatedLink.kind == RelatedKind.AUTO)
                .order_by(RelatedLink.position)
            )
        )


def test_related_stories_find_each_other_and_nothing_else(client, corpus):
    for slug in ("pay-talks-resume", "pay-talks-stall", "strike-averted"):
        assert set(keep_reading(client, slug)) == {"pay-talks-resume", "pay-talks-stall", "strike-averted"} - {slug}
    assert keep_reading(client, "derby-thriller") == ["striker-contract"]
    assert keep_reading(client, "striker-contract") == ["derby-thriller"]


def test_picks_are_stored_as_auto_links_when_published(app, corpus):
    """Publishing an article refreshes the lists it now belongs on: earlier articles pick later ones."""
    assert set(stored_picks(app, corpus["pay-talks-resume"])) == {corpus["pay-talks-stall"], corpus["strike-averted"]}
    assert stored_picks(app, corpus["derby-thriller"]) == [corpus["striker-contract"]]


def test_curated_first_then_automatic_without_duplicates(client, corpus, add_link):
    add_link(corpus["pay-talks-resume"], url="https://example.org/union-statement", title="Union statement")
    add_link(corpus["pay-talks-resume"], target_id=corpus["strike-averted"])
    assert keep_reading(client, "pay-talks-resume") == [
        "https://example.org/union-statement",
        "strike-averted",
        "pay-talks-stall",
    ]


def test_size_is_configurable(app, client, corpus):
    app.config["KEEP_READING_SIZE"] = 1
    with app.app_context():
        related.refresh_picks(corpus["pay-talks-resume"])
        db.session.commit()
    assert len(keep_reading(client, "pay-talks-resume")) == 1


def test_drafts_never_picked_and_never_indexed(app, client, corpus, make_article):
    title, _, body = NEGOTIATION[0]
    draft = make_article(title + " (draft)", slug="draft-talks", body=body, tags=("ferries", "unions"), published=False)
    for slug in ("pay-talks-resume", "pay-talks-stall", "strike-averted"):
        assert "draft-talks" not in keep_reading(client, slug)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(RelatedTerm.article_id == draft)) == 0
    assert client.get("/articles/draft-talks").status_code == 404


def test_unpublishing_removes_an_article_from_every_list(app, client, corpus):
    with app.app_context():
        authoring.unpublish_article(db.session.get(Article, corpus["pay-talks-stall"]))
        db.session.commit()
    assert keep_reading(client, "pay-talks-resume") == ["strike-averted"]
    assert keep_reading(client, "strike-averted") == ["pay-talks-resume"]
    with app.app_context():
        assert not db.session.scalar(
            sa.select(sa.func.count()).where(
                RelatedLink.target_article_id == corpus["pay-talks-stall"], RelatedLink.kind == RelatedKind.AUTO
            )
        )
    assert client.get("/articles/pay-talks-stall").status_code == 404


def test_publishing_again_and_editing_move_an_article_between_topics(app, client, corpus):
    with app.app_context():
        article = db.session.get(Article, corpus["striker-contract"])
        unions = db.session.scalars(sa.select(Tag).where(Tag.slug == "unions")).one()
        authoring.update_article(
            article,
            title="Ferry unions call for talks on overtime",
            body=NEGOTIATION[1][2],
            tags=[unions],
        )
        db.session.commit()
    assert "striker-contract" in keep_reading(client, "pay-talks-stall")
    assert "striker-contract" not in keep_reading(client, "derby-thriller")
    assert keep_reading(client, "striker-contract")[0] in {"pay-talks-stall", "pay-talks-resume", "strike-averted"}

    with app.app_context():
        authoring.unpublish_article(db.session.get(Article, corpus["derby-thriller"]))
        authoring.publish_article(
            db.session.get(Article, corpus["derby-thriller"]),
            published_at=db.session.get(Article, corpus["pay-talks-stall"]).published_at,
        )
        db.session.commit()
    assert client.get("/articles/derby-thriller").status_code == 200


def index_snapshot(app) -> tuple[dict, dict]:
    with app.app_context():
        counts = dict(db.session.execute(sa.select(RelatedTermCount.term, RelatedTermCount.documents)).all())
        terms = {(r.article_id, r.term): round(r.weight, 9) for r in db.session.scalars(sa.select(RelatedTerm))}
        return counts, terms


def test_incremental_index_matches_a_full_rebuild(app, corpus, make_article):
    """Edits and unpublishing keep the document counts exact: a rebuild changes nothing."""
    with app.app_context():
        authoring.update_article(db.session.get(Article, corpus["derby-thriller"]), body="A quiet goalless draw.")
        authoring.unpublish_article(db.session.get(Article, corpus["strike-averted"]))
        db.session.commit()
    counts, _ = index_snapshot(app)
    with app.app_context():
        related.rebuild_index()
        db.session.commit()
    rebuilt_counts, _ = index_snapshot(app)
    assert counts == rebuilt_counts
    assert counts["tag:" + str(_tag_id(app, "sport"))] == 2


def _tag_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Tag.id).where(Tag.slug == slug))


def test_reindex_related_command_recomputes_everything(app, runner, client, corpus):
    # Signatures stored as articles arrive use the term counts of their day, so a rebuild may
    # reorder close scores; the articles picked are the same.
    before = {slug: set(keep_reading(client, slug)) for slug in corpus}
    with app.app_context():  # throw the index away, as after upgrading an existing site
        db.session.execute(sa.delete(RelatedLink).where(RelatedLink.kind == RelatedKind.AUTO))
        db.session.execute(sa.delete(RelatedTerm))
        db.session.execute(sa.delete(RelatedTermCount))
        db.session.commit()
    assert keep_reading(client, "pay-talks-resume") == []

    result = runner.invoke(args=["blog", "reindex-related"])
    assert result.exit_code == 0, result.output
    assert "Indexing articles" in result.output and "Choosing Keep Reading" in result.output  # progress bars
    assert "Keep Reading recomputed for 5 published article(s)." in result.output
    assert {slug: set(keep_reading(client, slug)) for slug in corpus} == before


def test_demo_site_shows_related_articles(app, runner, client):
    assert runner.invoke(args=["blog", "seed-demo"]).exit_code == 0
    harbour = keep_reading(client, "council-narrowly-approves-revised-harbour-scheme")
    assert {
        "harbour-redevelopment-plan-goes-out-to-consultation",
        "fishermen-warn-harbour-berth-move-could-cost-them",
    } <= set(harbour)
    assert keep_reading(client, "storm-delphine-cuts-power-and-halts-saltholme-ferry")[1:] == [
        "full-saltholme-ferry-timetable-returns-after-repairs"
    ]
    assert keep_reading(client, "late-pendry-header-sends-rovers-into-county-cup-quarter-finals") == [
        "rovers-draw-saltmarsh-united-in-county-cup-quarter-final"  # and not the school story sharing "Community"
    ]
    assert keep_reading(client, "shoreline-primary-faces-180000-budget-shortfall")[1:] == [
        "shoreline-primary-governors-agree-savings-plan"
    ]


def test_demo_articles_show_a_full_box(app, runner, client):
    assert runner.invoke(args=["blog", "seed-demo"]).exit_code == 0
    with app.app_context():
        slugs = list(db.session.scalars(sa.select(Article.slug).where(Article.status == "published")))
    assert len(slugs) >= 8
    boxes = {slug: keep_reading(client, slug, fill=True) for slug in slugs}
    size = app.config["KEEP_READING_SIZE"]
    assert {slug: len(links) for slug, links in boxes.items() if len(links) != size} == {}
    assert all(slug not in links and len(set(links)) == size for slug, links in boxes.items())


def test_bulk_loads_can_defer_indexing(app, client, make_user):
    with app.app_context():
        from blog.models import User

        author = db.session.get(User, make_user())
        for slug in ("bulk-one", "bulk-two"):
            authoring.create_article(
                author=author, title="Ferry pay talks", slug=slug, body=NEGOTIATION[0][2], published_at=NOW, index=False
            )
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RelatedTerm)) == 0
    assert keep_reading(client, "bulk-one") == []
    with app.app_context():
        related.rebuild_index()
        related.refresh_all_picks()
        db.session.commit()
    assert keep_reading(client, "bulk-one") == ["bulk-two"]
