import sqlalchemy as sa

from blog import create_app
from blog.cli import NOT_MIGRATED
from blog.extensions import db
from blog.models import Article, ArticleStatus, Comment, RelatedLink, Role, Tag, User


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (User, Article, Tag, Comment, RelatedLink)
        }


def test_seed_demo_is_idempotent_and_meets_the_brief(app, runner, client):
    result = runner.invoke(args=["blog", "seed-demo"])
    assert result.exit_code == 0, result.output
    first = counts(app)
    assert first["User"] == 3 and first["Article"] >= 6 and first["Tag"] >= 8 and first["Comment"] >= 3
    assert first["RelatedLink"] >= 1

    again = runner.invoke(args=["blog", "seed-demo"])
    assert again.exit_code == 0
    assert "created 0 users, 0 articles, 0 comments" in again.output
    assert counts(app) == first

    with app.app_context():
        published = db.session.scalars(sa.select(Article).where(Article.status == ArticleStatus.PUBLISHED)).all()
        authors = {a.author_id for a in published}
        assert len(published) >= 6 and len(authors) == 3
        assert all(u.bio_html for u in db.session.scalars(sa.select(User)))
        slugs = [a.slug for a in published]
    for slug in slugs:
        assert client.get(f"/articles/{slug}").status_code == 200


def test_users_create(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Ed@Example.org",
            "--name",
            "Ed Itor",
            "--role",
            "editor",
            "--password",
            "long enough pw",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created editor Ed Itor" in result.output
    with app.app_context():
        user = db.session.scalars(sa.select(User)).one()
        assert (user.email, user.role, user.slug) == ("ed@example.org", Role.EDITOR, "ed-itor")
        assert user.password_hash and user.password_hash.startswith("scrypt:")


def test_users_create_prompts_for_the_password(app, runner):
    result = runner.invoke(
        args=["users", "create", "--email", "a@example.org", "--name", "A Author", "--role", "author"],
        input="a secret phrase\na secret phrase\n",
    )
    assert result.exit_code == 0, result.output
    from werkzeug.security import check_password_hash

    with app.app_context():
        assert check_password_hash(db.session.scalars(sa.select(User.password_hash)).one(), "a secret phrase")


def test_users_create_refuses_a_duplicate_email(runner):
    args = [
        "users",
        "create",
        "--email",
        "dup@example.org",
        "--name",
        "One",
        "--role",
        "author",
        "--password",
        "12345678",
    ]
    assert runner.invoke(args=args).exit_code == 0
    result = runner.invoke(args=[*args[:5], "Two", *args[6:]])
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_users_create_refuses_a_bad_role_and_short_password(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "x@example.org", "--name", "X", "--role", "king", "--password", "12345678"]
    )
    assert result.exit_code == 2
    assert "'king' is not one of" in result.output
    result = runner.invoke(
        args=["users", "create", "--email", "x@example.org", "--name", "X", "--role", "author", "--password", "short"]
    )
    assert result.exit_code == 2
    assert "at least 8 characters" in result.output


def test_users_with_the_same_name_get_distinct_slugs(app, make_user):
    make_user("Sam Lee")
    second = make_user("Sam Lee")
    with app.app_context():
        assert db.session.get(User, second).slug == "sam-lee-2"


def test_rerender_brings_stored_html_under_the_current_sanitiser(app, runner, client, make_article, make_comment):
    """HTML stored by an older sanitiser (here: a javascript: link with digits) is made again from its source."""
    article_id = make_article("Old links", slug="old-links", body="[tap](javascript:1) and [home](https://example.org)")
    comment_id = make_comment(article_id, body="[tap](javascript:2)")
    old_link = '<a href="javascript:1">tap</a>'
    with app.app_context():
        db.session.execute(sa.update(Article).where(Article.id == article_id).values(body_html=old_link))
        db.session.execute(
            sa.update(Comment).where(Comment.id == comment_id).values(body_html='<p><a href="javascript:2">tap</a></p>')
        )
        db.session.commit()
    assert 'href="javascript:' in client.get("/articles/old-links").get_data(as_text=True)

    result = runner.invoke(args=["blog", "rerender"])
    assert result.exit_code == 0, result.output
    assert "1 articles" in result.output and "1 comments" in result.output
    page = client.get("/articles/old-links").get_data(as_text=True)
    assert 'href="javascript:' not in page and 'href="https://example.org"' in page

    again = runner.invoke(args=["blog", "rerender"])
    assert "0 articles, 0 users, 0 comments, 0 site_settings changed" in again.output


def test_a_command_on_a_database_never_migrated_says_what_to_run(tmp_path):
    empty = create_app(
        {"TESTING": True, "SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/empty.sqlite3"},
        instance_path=str(tmp_path),
    )
    for args in (
        ["blog", "spam", "retrain"],
        ["users", "set-password", "a@example.org"],
        ["comments", "moderate", "1", "approve"],
    ):
        result = empty.test_cli_runner().invoke(args=args)
        assert result.exit_code == 1, (args, result.output)
        assert NOT_MIGRATED in result.output and "Traceback" not in result.output
