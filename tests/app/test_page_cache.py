"""The whole article page from the shared cache for anonymous readers (blog/public/sharing.py).

Every anonymous reader gets the same bytes, with no cookie; any change a reader could see retires the page
(one hook on the session: blog/cache.py); ETag/304 for revisits; personal pages are neither shared nor stored.
"""

import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis as redis_lib
import sqlalchemy as sa

from blog import cache
from blog.extensions import db
from blog.models import Article, Comment, CommentStatus, User
from blog.orm import utcnow
from blog.public import forms
from blog.services import authoring, moderation
from blog.services.site import ensure_settings
from tests.conftest import PASSWORD, enable_cache
from tests.helpers import form_fields
from tests.system.cluster import SECRET_KEY, node_env

SLUG = "shared-story"
URL = f"/articles/{SLUG}"


@pytest.fixture
def story(app, make_article, make_comment, make_user) -> int:
    author = make_user("Ada Byline", bio="Writes about the harbour.")
    article_id = make_article("A shared story", slug=SLUG, author_id=author)
    make_comment(article_id, name="Early Bird", body="First words.")
    return article_id


@pytest.fixture(params=["NullCache", "SimpleCache", "RedisCache"])
def any_cache(request, app):
    """No cache (every request renders), the in-process cache, or Redis."""
    return enable_cache(request, app, request.param)


def get_text(client, url: str = URL) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def commit_change(app, change) -> None:
    with app.app_context():
        change()
        db.session.commit()


def test_a_plain_reader_gets_the_cached_page_without_touching_the_database(cached, story, count_queries):
    first = get_text(cached.test_client())
    with count_queries() as statements:
        second = get_text(cached.test_client())
    assert statements == []
    assert "First words." in second and "A shared story" in second
    assert first == second


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_every_anonymous_reader_gets_the_same_bytes_and_no_cookie_and_each_can_comment(cached, story):
    alice, bob = cached.test_client(), cached.test_client()
    alice_page, bob_page = alice.get(URL), bob.get(URL)  # Bob's comes from the cache
    assert alice_page.data == bob_page.data and alice_page.headers["ETag"] == bob_page.headers["ETag"]
    for page in (alice_page, bob_page):
        assert "Set-Cookie" not in page.headers and "csrf_token" not in page.get_data(as_text=True)
        assert page.headers["Cache-Control"] == "public, max-age=0, s-maxage=10, stale-while-revalidate=30"
    form = form_fields(alice_page.get_data(as_text=True))
    for client, name in ((alice, "Alice"), (bob, "Bob")):
        mine = {"name": f"{name} Reader", "email": f"{name.lower()}@example.net", "body": f"{name}'s own words."}
        sent = client.post(f"{URL}/comments", data={**form, **mine}, headers={"Sec-Fetch-Site": "same-origin"})
        assert sent.status_code == 303, sent.get_data(as_text=True)[:300]
    with cached.app_context():
        names = db.session.scalars(sa.select(Comment.author_name).where(Comment.status == CommentStatus.PENDING))
        assert sorted(names) == ["Alice Reader", "Bob Reader"]


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_pending_comment_and_a_remembered_name_stay_with_their_reader(cached, story, client, post_comment):
    neighbour = cached.test_client()
    get_text(neighbour)
    sent = post_comment(SLUG, name="Pat Private", email="pat@example.net", body="Held for me.", remember="y")
    assert sent.status_code == 303
    own = client.get(URL)
    assert "Held for me." in own.get_data(as_text=True) and 'value="Pat Private"' in own.get_data(as_text=True)
    assert own.headers["Cache-Control"] == "private, no-store" and "ETag" not in own.headers
    for reader in (neighbour, cached.test_client()):
        page = get_text(reader)
        assert "Held for me." not in page and "Pat Private" not in page and "pat@example.net" not in page
        assert "awaiting moderation" not in page


def _approve_held():
    held = db.session.scalar(sa.select(Comment).where(Comment.status == CommentStatus.PENDING))
    moderation.moderate(held, "approve", actor=None, now=utcnow())


def _retitle(title):
    return lambda: authoring.update_article(db.session.scalar(sa.select(Article).filter_by(slug=SLUG)), title=title)


def _rename_author():
    db.session.scalar(sa.select(User).filter_by(display_name="Ada Byline")).display_name = "Ada Renamed"


@pytest.mark.parametrize(
    "change, shown",
    [
        pytest.param(_retitle("A retitled story"), "A retitled story", id="article edited"),
        pytest.param(_rename_author, "Ada Renamed", id="author renamed"),
        pytest.param(
            lambda: setattr(ensure_settings(), "site_title", "The Renamed Courier"),
            "The Renamed Courier",
            id="settings changed",
        ),
    ],
)
def test_edits_retire_the_cached_page(cached, story, change, shown):
    reader = cached.test_client()
    assert shown not in get_text(reader)
    commit_change(cached, change)
    assert shown in get_text(reader)


def test_moderation_and_new_comments_retire_the_cached_page(cached, story, make_comment):
    reader = cached.test_client()
    make_comment(story, name="Late Owl", body="Held words.", status=CommentStatus.PENDING)
    assert "Held words." not in get_text(reader)
    commit_change(cached, _approve_held)
    page = get_text(reader)
    assert "Held words." in page and "2 Comments" in page
    make_comment(story, name="Third Voice", email="third@example.net", body="Third words.")
    assert "Third words." in get_text(reader)


@pytest.mark.parametrize("status", [CommentStatus.PENDING, CommentStatus.SPAM])
def test_a_new_comment_nobody_may_see_leaves_the_cached_page_in_place(
    cached, story, make_comment, count_queries, status
):
    """A wave of held or spam comments must not keep the article's page from being served from the cache."""
    reader = cached.test_client()
    get_text(reader)
    make_comment(story, name="Late Owl", body="Held words.", status=status)
    with count_queries() as statements:
        assert "Held words." not in get_text(reader)
    assert statements == []
    make_comment(story, name="Third Voice", email="third@example.net", body="Third words.")  # approved
    assert "Third words." in get_text(reader)


def test_a_comment_held_through_the_form_leaves_the_cached_page_in_place(cached, story, count_queries):
    """The whole submission (the spam score, the mail to the editors) touches the held comment again after it is
    stored: none of that is anything another reader could see."""
    writer, reader = cached.test_client(), cached.test_client()
    get_text(reader)
    page = writer.get(URL)
    data = {**form_fields(page.get_data(as_text=True)), "name": "Late Owl", "email": "owl@example.net"}
    data["body"] = "Held words, sent through the form like anyone's."
    assert writer.post(f"{URL}/comments", data=data).status_code == 303
    with cached.app_context():
        assert db.session.scalar(sa.select(Comment.status).where(Comment.author_name == "Late Owl")) is (
            CommentStatus.PENDING
        )
    with count_queries() as statements:
        assert "Held words" not in get_text(reader)
    assert statements == []


def test_a_keep_reading_target_renamed_or_unpublished_retires_the_page(cached, story, make_article, add_link):
    target = make_article("Harbour dredging resumes", slug="harbour-dredging")
    add_link(story, target_id=target)
    reader = cached.test_client()
    assert "Harbour dredging resumes" in get_text(reader)
    commit_change(cached, lambda: authoring.update_article(db.session.get(Article, target), title="Dredging, again"))
    assert "Dredging, again" in get_text(reader)
    commit_change(cached, lambda: authoring.unpublish_article(db.session.get(Article, target)))
    assert "Dredging, again" not in get_text(reader)


def test_unpublishing_removes_the_cached_page(cached, story):
    reader = cached.test_client()
    get_text(reader)
    commit_change(cached, lambda: authoring.unpublish_article(db.session.get(Article, story)))
    assert reader.get(URL).status_code == 404


def test_the_cache_forgets_changes_that_were_rolled_back(cached, story):
    reader = cached.test_client()
    get_text(reader)
    with cached.app_context():
        authoring.update_article(db.session.get(Article, story), title="Never committed")
        db.session.flush()
        assert db.session.info.get("cache_versions_queued")
        db.session.rollback()
        assert not db.session.info.get("cache_versions_queued")
    assert "Never committed" not in get_text(reader)


def test_a_revisit_is_answered_304_until_the_page_changes(any_cache, story, make_comment, monkeypatch):
    issued = time.time()  # the form's token changes each minute (forms.form_token): not within this test
    monkeypatch.setattr(forms.time, "time", lambda: issued)
    reader = any_cache.test_client()
    first = reader.get(URL)
    etag = first.headers["ETag"]
    assert not etag.startswith("W/")  # strong: the bytes are the same for everyone

    again = reader.get(URL, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert "Set-Cookie" not in again.headers
    assert any_cache.test_client().get(URL, headers={"If-None-Match": etag}).status_code == 304  # anyone's copy

    make_comment(story, name="New Voice", email="new@example.net", body="Fresh words.")
    changed = reader.get(URL, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "Fresh words." in changed.get_data(as_text=True)


def test_pages_for_staff_and_repliers_are_private_and_not_validated(any_cache, story, client, sign_in):
    with any_cache.app_context():
        first = db.session.scalar(sa.select(Comment.id))
    replying = client.get(f"{URL}?replytocom={first}")
    assert replying.headers["Cache-Control"] == "private, no-store" and "ETag" not in replying.headers
    sign_in("editor")
    staff = client.get(URL)
    assert staff.headers["Cache-Control"] == "private, no-store" and "ETag" not in staff.headers


def test_a_reader_remembered_by_the_sign_in_cookie_alone_gets_their_own_page(any_cache, story, client, make_user):
    make_user("Eve Editor", role="editor", email="eve@example.org", password=PASSWORD)
    assert (
        client.post("/login", data={"email": "eve@example.org", "password": PASSWORD, "remember": "y"}).status_code
        == 303
    )
    client.delete_cookie("blog_session")  # the browser was closed: only the remember-me cookie is left
    page = client.get(URL)
    assert page.headers["Cache-Control"] == "private, no-store" and "ETag" not in page.headers
    assert "Eve Editor" in page.get_data(as_text=True)  # signed in again from the cookie, on their own page


@pytest.mark.app_config(CACHE_DEFAULT_TIMEOUT=3600)
def test_a_page_is_kept_no_longer_than_its_comments_stay_open(request, app, make_article):
    enable_cache(request, app, "RedisCache")
    commit_change(app, lambda: setattr(ensure_settings(), "close_after_days", 1))
    make_article("Closing soon", slug="closing-soon", published_at=utcnow() - timedelta(days=1) + timedelta(seconds=90))
    assert "Leave a Reply" in get_text(app.test_client(), "/articles/closing-soon")
    store = redis_lib.Redis.from_url(app.config["CACHE_REDIS_URL"])
    ttl = store.ttl(f"{app.config['CACHE_KEY_PREFIX']}page:{cache.FORMAT}:closing-soon:")
    store.close()
    assert 0 < ttl <= 91


def test_without_a_cache_every_request_renders(app, story, count_queries):
    assert app.config["CACHE_TYPE"] == "NullCache"  # tests: off unless a test switches it on
    get_text(app.test_client())
    with count_queries() as statements:
        get_text(app.test_client())
    assert any("FROM comments" in s for s in statements)  # rendered from the database again


def test_a_bulk_statement_retires_the_pages_it_may_change(cached, story, make_article, add_link):
    """Statements the flush never sees (``update()`` of many rows) are watched too, and act after the commit."""
    target = make_article("Harbour dredging resumes", slug="harbour-dredging")
    add_link(story, target_id=target)
    reader = cached.test_client()
    assert "Harbour dredging resumes" in get_text(reader)
    with cached.app_context():
        db.session.execute(sa.update(Article).where(Article.id == target).values(title="Dredging, in bulk"))
        assert "Dredging, in bulk" not in get_text(reader)  # not committed yet: the old page stands
        db.session.commit()
    assert "Dredging, in bulk" in get_text(reader)  # the linking page, not just the target's own


def test_an_entry_from_another_release_is_never_read(cached, story):
    """During a rolling deploy old and new code share the cache: entries carry a format version in their key."""
    reader = cached.test_client()
    get_text(reader)
    with cached.app_context():
        cache.cache.set(f"page:{SLUG}:", ("an", "old", "shape"))  # the key and shape the previous release wrote
    assert "First words." in get_text(cached.test_client())
    with cached.app_context():
        cache.cache.set(f"page:{cache.FORMAT}:{SLUG}:", ("a", "wrong", "shape"))  # a release that forgot FORMAT
    assert "First words." in get_text(cached.test_client())  # rendered afresh instead of a 500


# --- One machine without Redis: the cache directory ----------------------------------------------


def test_a_sqlite_site_without_redis_caches_in_a_directory_that_other_processes_invalidate(tmp_path):
    """A SQLite site's default: the workers and the CLI share files, so a change made by another process
    (here the CLI, approving a comment) retires the page this one has cached."""
    from blog import create_app
    from blog.services import comments, users

    url = f"sqlite:///{tmp_path}/site.sqlite3"
    app = create_app(
        {"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False},
        instance_path=str(tmp_path),
    )
    assert app.config["CACHE_TYPE"] == "FileSystemCache"
    with app.app_context():
        db.create_all()
        author = users.create_user(email="ada@example.org", name="Ada Byline", role="author", password=None)
        article = authoring.create_article(
            author=author,
            title="A shared story",
            slug=SLUG,
            body="News.",
            summary="",
            tags=[],
            published_at=utcnow() - timedelta(hours=1),
        )
        db.session.flush()
        held = comments.record_comment(
            article,
            name="Late Owl",
            email="owl@example.net",
            body="Second thoughts.",
            status=CommentStatus.PENDING,
            created_at=utcnow(),
        )
        db.session.commit()
        held_id = held.id
    client = app.test_client()
    assert "Second thoughts" not in get_text(client)
    with app.app_context():
        statements = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        assert "Second thoughts" not in get_text(client)
    assert statements == []  # the page came from the cache
    env = node_env(url, BLOG_CACHE_DIR=app.config["CACHE_DIR"])  # none of this machine's own blog settings
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "blog", "comments", "moderate", str(held_id), "approve"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    time.sleep(cache.MEMO_SECONDS)  # what this process served last, it may keep that long
    page = get_text(client)
    assert "Second thoughts" in page and "1 Comment" in page


def test_the_file_cache_sweeps_files_older_than_any_entry_lives(request, app, story, monkeypatch, count_queries):
    enable_cache(request, app, "FileSystemCache")
    client = app.test_client()
    get_text(client)  # stores the page, under the two version tokens
    directory = Path(app.config["CACHE_DIR"])
    stored = set(directory.iterdir())  # the page, its fragments and the version tokens
    now = time.time()
    with app.app_context():
        monkeypatch.setattr(cache, "_swept", cache._swept - cache.SWEEP_SECONDS)
        monkeypatch.setattr(cache.time, "time", lambda: now + app.config["CACHE_DEFAULT_TIMEOUT"] - 5)
        cache.sweep()
        assert set(directory.iterdir()) == stored  # nothing has outlived its lifetime yet
        monkeypatch.setattr(cache, "_swept", cache._swept - cache.SWEEP_SECONDS)
        monkeypatch.setattr(cache.time, "time", lambda: now + app.config["CACHE_DEFAULT_TIMEOUT"] + 5)
        cache.sweep()
        assert list(directory.iterdir()) == []  # the page, and the tokens nobody wrote since
    monkeypatch.undo()
    time.sleep(cache.MEMO_SECONDS)  # what this process served last, it may keep that long
    with count_queries() as queries:
        assert "First words." in get_text(client)  # rendered again under new tokens, and stored
    assert queries and len(list(directory.iterdir())) == len(stored)


def test_a_busy_page_is_kept_in_the_process_briefly_and_a_change_made_here_retires_it_at_once(
    cached, story, count_queries
):
    """Each process keeps what it served for MEMO_SECONDS (no round trip to the cache); its own changes
    empty that at once, so a change made through this process is seen by its next reader."""
    client = cached.test_client()
    assert "First words." in get_text(client)
    with cached.app_context():
        db.session.execute(sa.update(Comment).values(body_html="<p>Edited behind the services.</p>"))
        db.session.commit()  # a bulk UPDATE on comments: the hook retires every page, here and now
    assert "Edited behind the services." in get_text(client)


def test_each_comment_order_and_page_is_cached_apart(cached, story, make_comment, count_queries):
    make_comment(story, name="Late Owl", body="Last words.", minutes=30)
    oldest, newest = get_text(cached.test_client()), get_text(cached.test_client(), URL + "?comments=newest")
    assert oldest.index("First words.") < oldest.index("Last words.")
    assert newest.index("Last words.") < newest.index("First words.")
    with count_queries() as statements:  # both from the cache now, each its own
        assert get_text(cached.test_client(), URL + "?comments=newest") == newest
        assert get_text(cached.test_client()) == oldest
    assert statements == []
    assert get_text(cached.test_client(), URL + "?comments=oldest") == oldest  # the default, by name
