"""HASH_KEY: the key of every hash of personal data, so that a new SECRET_KEY leaves commenters recognisable."""

import itertools

import sqlalchemy as sa

from blog import create_app
from blog.extensions import db
from blog.models import Comment
from blog.services import authoring, users
from tests.conftest import NOW, app_config
from tests.helpers import form_fields, parse

READER_IP = "203.0.113.7"
_sites = itertools.count(1)


def comment_as_seen(database_url: str, tmp_path, **keys) -> tuple[str, str]:
    """The same reader (address and IP) comments on a site started with ``keys``: (the avatar's class on the
    page they get back, the IP hash stored with the comment). Each call is a new start of the site."""
    n = next(_sites)
    app = create_app(app_config(SQLALCHEMY_DATABASE_URI=database_url, **keys), instance_path=str(tmp_path / f"s{n}"))
    with app.app_context():
        if database_url.startswith("sqlite"):
            db.create_all()
        author = users.create_user(email=f"writer{n}@example.org", name="Wren Talbot", role="author", password=None)
        article = authoring.create_article(
            author=author,
            title=f"Harbour vote, part {n}",
            slug=f"harbour-{n}",
            body="News.",
            summary="News.",
            tags=[],
            published_at=NOW,
        )
        db.session.commit()
        article_id = article.id
    client = app.test_client()
    form = form_fields(client.get(f"/articles/harbour-{n}").get_data(as_text=True))
    form.update(name="Pat Reader", email="pat@example.net", website="", body="Well reported.")
    response = client.post(f"/articles/harbour-{n}/comments", data=form, environ_base={"REMOTE_ADDR": READER_IP})
    assert response.status_code == 303
    page = parse(client.get(f"/articles/harbour-{n}"))
    (avatar,) = page.xpath(
        "//li[starts-with(@id, 'comment-')]//*[contains(concat(' ', @class, ' '), ' avatar ')]/@class"
    )
    with app.app_context():
        ip_hash = db.session.scalar(sa.select(Comment.ip_hash).where(Comment.article_id == article_id))
        db.session.remove()
        db.engine.dispose()
    return avatar, ip_hash


def test_with_a_hash_key_a_new_secret_key_keeps_avatar_and_ip_hash(app, database_url, tmp_path):
    before = comment_as_seen(database_url, tmp_path, SECRET_KEY="old-secret", HASH_KEY="site-hash-key")
    after = comment_as_seen(database_url, tmp_path, SECRET_KEY="new-secret", HASH_KEY="site-hash-key")
    assert after == before


def test_without_a_hash_key_avatar_and_ip_hash_follow_the_secret_key(app, database_url, tmp_path):
    (avatar_1, ip_1), (avatar_2, ip_2) = (
        comment_as_seen(database_url, tmp_path, SECRET_KEY=key) for key in ("old-secret", "new-secret")
    )
    assert ip_1 != ip_2
    assert avatar_1 != avatar_2  # 1 chance in 12 of the same colour: these two keys give two
    assert (avatar_1, ip_1) == comment_as_seen(database_url, tmp_path, SECRET_KEY="old-secret")


def test_the_ip_hash_is_never_the_raw_ip(app, database_url, tmp_path):
    _, ip_hash = comment_as_seen(database_url, tmp_path, SECRET_KEY="some-secret")
    assert len(ip_hash) == 64 and READER_IP not in ip_hash and READER_IP.replace(".", "") not in ip_hash
