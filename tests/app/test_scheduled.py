"""Scheduled publishing: a publish time still to come keeps the article off every public page until then, and the
task queued for that time brings it into search, Keep Reading and the cached lists (time frozen with
time-machine; the queue in immediate mode keeps scheduled tasks in Huey's schedule until the test runs them)."""

from datetime import timedelta

import pytest
import time_machine

from blog.extensions import db
from blog.models import Article, ArticleStatus, User
from blog.services import authoring
from tests.conftest import NOW

WHEN = NOW + timedelta(hours=2)
TITLE = "Harbour ferry timetable changes"


def run_due_tasks(app) -> int:
    """What the consumer does when the clock reaches a scheduled task: run the ones now due."""
    huey = app.extensions["jobs"].huey
    due = huey.read_schedule(huey._get_timestamp())
    for task in due:
        huey.execute(task)
    return len(due)


def public_views(client) -> dict[str, str]:
    return {
        url: client.get(url).get_data(as_text=True)
        for url in (
            "/",
            "/feed.atom",
            "/sitemap.xml",
            "/sitemaps/articles-1.xml",
            "/search?q=ferry",
            "/tags/harbour",
            "/authors/scheduler",
            "/tags/harbour/feed.atom",
            "/articles/ferry-neighbour",
        )
    }


@pytest.fixture
def scheduled(app, make_user, make_article):
    with time_machine.travel(NOW, tick=False):
        author = make_user("Scheduler", role="editor")
        # A published neighbour on the same subject: its Keep Reading picks the scheduled one once it is out.
        make_article(
            "Ferry neighbour",
            slug="ferry-neighbour",
            tags=("harbour",),
            body="The harbour ferry timetable changes next month for the island ferry route.",
            author_id=author,
        )
        with app.app_context():
            article = authoring.create_article(
                author=db.session.get(User, author),
                title=TITLE,
                slug="ferry-timetable",
                body="The harbour ferry timetable changes: the island ferry route runs hourly.",
                tags=authoring.get_or_create_tags([("harbour", "Harbour")]),
                published_at=WHEN,
            )
            db.session.commit()
            return article.id


def test_a_scheduled_article_is_hidden_until_its_time(app, client, scheduled):
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert client.get("/articles/ferry-timetable").status_code == 404
        assert client.get("/articles/ferry-timetable/comments.atom").status_code == 404
        for url, text in public_views(client).items():
            assert "ferry-timetable" not in text, url
        assert run_due_tasks(app) == 0

    with time_machine.travel(WHEN + timedelta(seconds=1), tick=False):
        assert client.get("/articles/ferry-timetable").status_code == 200  # the rule alone, before any task
        assert run_due_tasks(app) == 1
        pages = public_views(client)
        for url, text in pages.items():
            if url != "/articles/ferry-neighbour":
                assert "ferry-timetable" in text, url
        assert "/articles/ferry-timetable" in pages["/articles/ferry-neighbour"]  # Keep Reading took it in


def test_the_task_is_safe_to_run_twice_and_does_nothing_for_an_unpublished_article(app, client, scheduled):
    with time_machine.travel(WHEN + timedelta(minutes=1), tick=False):
        with app.app_context():
            authoring.went_live(scheduled)
            authoring.went_live(scheduled)
        assert client.get("/search?q=ferry").get_data(as_text=True).count('href="/articles/ferry-timetable"') == 1
    with time_machine.travel(NOW, tick=False), app.app_context():
        article = db.session.get(Article, scheduled)
        authoring.unpublish_article(article)
        db.session.commit()
        assert article.status is ArticleStatus.DRAFT
    with time_machine.travel(WHEN + timedelta(minutes=2), tick=False):
        with app.app_context():
            authoring.went_live(scheduled)
        assert client.get("/articles/ferry-timetable").status_code == 404
        assert "ferry-timetable" not in client.get("/search?q=ferry").get_data(as_text=True)


def test_moving_a_scheduled_article_later_keeps_it_hidden_at_the_old_time(app, client, scheduled):
    with time_machine.travel(NOW, tick=False), app.app_context():
        article = db.session.get(Article, scheduled)
        authoring.unpublish_article(article)
        authoring.publish_article(article, published_at=WHEN + timedelta(days=1))
        db.session.commit()
    with time_machine.travel(WHEN + timedelta(minutes=1), tick=False):
        run_due_tasks(app)
        assert client.get("/articles/ferry-timetable").status_code == 404
        assert "ferry-timetable" not in client.get("/search?q=ferry").get_data(as_text=True)
    with time_machine.travel(WHEN + timedelta(days=1, minutes=1), tick=False):
        assert run_due_tasks(app) == 1
        assert "ferry-timetable" in client.get("/search?q=ferry").get_data(as_text=True)


def test_the_task_retires_the_cached_pages_that_now_pick_the_article(cached, scheduled):
    reader = cached.test_client()
    with time_machine.travel(WHEN + timedelta(seconds=1), tick=False):
        before = reader.get("/articles/ferry-neighbour").get_data(as_text=True)
        assert "/articles/ferry-timetable" not in before  # the neighbour's picks were chosen before its time
        assert reader.get("/articles/ferry-neighbour").get_data(as_text=True) == before  # kept in the cache
        assert run_due_tasks(cached) == 1
        assert "/articles/ferry-timetable" in reader.get("/articles/ferry-neighbour").get_data(as_text=True)
