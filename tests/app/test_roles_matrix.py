"""Every registered route x every kind of visitor: allowed, 403, or sent to sign in.

The table below is written independently of ``blog.policy``; a route missing from it fails the
test, so nobody can add a page without deciding who may open it.
"""

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import ArticleRevision, Comment, CommentStatus, RelatedLink, User

ANYONE, SIGNED_IN, EDITOR, ADMIN = "anyone", "signed-in", "editor", "admin"

EXPECTED = {
    "static": ANYONE,
    "public.home": ANYONE,
    "public.article": ANYONE,
    "public.submit_comment": ANYONE,
    "public.comments_anchor": ANYONE,
    "public.comment_permalink": ANYONE,
    "public.your_data": ANYONE,
    "public.request_your_data": ANYONE,
    "public.your_data_list": ANYONE,
    "public.your_data_export": ANYONE,
    "public.your_data_erase": ANYONE,
    "public.edit_comment": ANYONE,
    "public.report_comment": ANYONE,  # readers report published comments, no account needed  # its writer's browser only: see test_roles_matrix
    "public.author": ANYONE,
    "public.tag": ANYONE,
    "public.healthz": ANYONE,
    "public.privacy": ANYONE,
    "subscriptions.confirm": ANYONE,
    "subscriptions.manage": ANYONE,
    "subscriptions.unsubscribe": ANYONE,
    "feeds.site_feed": ANYONE,
    "feeds.author_feed": ANYONE,
    "feeds.tag_feed": ANYONE,
    "feeds.comments_feed": ANYONE,
    "feeds.sitemap": ANYONE,
    "feeds.sitemap_pages": ANYONE,
    "feeds.sitemap_articles": ANYONE,
    "feeds.robots": ANYONE,
    "search.results": ANYONE,
    "accounts.login": ANYONE,
    "accounts.forgot_password": ANYONE,
    "accounts.reset_password": ANYONE,  # the signed link is the authority
    "accounts.change_password": SIGNED_IN,
    "accounts.sign_out_everywhere": SIGNED_IN,
    "media.file": ANYONE,
    # The JSON API never reads the session: public reads for anyone (its staff routes check bearer tokens)
    "api.articles_list": ANYONE,
    "api.article": ANYONE,
    "api.comments_list": ANYONE,
    "api.authors_list": ANYONE,
    "api.author": ANYONE,
    "api.author_articles": ANYONE,
    "api.tags_list": ANYONE,
    "api.tag_articles": ANYONE,
    "api.submit_comment": ANYONE,  # the origin check and JSON only (tests/app/test_forgery.py)
    "api.moderation_queue": ANYONE,  # bearer tokens, never the session: see test_staff_api_token_scopes
    "api.moderate_comment": ANYONE,
    "api.staff_articles": ANYONE,
    "api.staff_article": ANYONE,
    "api.create_article": ANYONE,
    "api.publish_article": ANYONE,
    "api.update_article": ANYONE,
    "api.unpublish_article": ANYONE,
    "api.submit_article": ANYONE,
    "api.send_back_article": ANYONE,
    "api.openapi": ANYONE,
    "api.docs": ANYONE,
    "accounts.logout": SIGNED_IN,
    "accounts.profile": SIGNED_IN,
    "accounts.create_token": SIGNED_IN,  # one's own personal access tokens for the staff API
    "accounts.revoke_token": SIGNED_IN,
    "two_factor.sign_in": ANYONE,  # the second step of signing in: without a password first, back to /login
    "two_factor.manage": SIGNED_IN,
    "two_factor.enrol": SIGNED_IN,
    "two_factor.confirm": SIGNED_IN,
    "two_factor.disable": SIGNED_IN,
    "two_factor.recovery_codes": SIGNED_IN,
    "moderation.desk": EDITOR,
    "moderation.act": EDITOR,
    "moderation.bulk": EDITOR,
    "moderation.comment": EDITOR,
    "moderation.commenter": EDITOR,
    "moderation.ban": EDITOR,
    "moderation.keep": EDITOR,
    "moderation.log": ADMIN,
    "moderation.empty": EDITOR,
    "moderation.reply": EDITOR,
    "moderation.edit": EDITOR,
    "moderation.log_csv": ADMIN,
    "editorial.articles": SIGNED_IN,  # authors: their own articles only (tests/app/test_authoring.py)
    "editorial.new_article": SIGNED_IN,
    "editorial.article": SIGNED_IN,
    "editorial.preview": SIGNED_IN,
    "editorial.article_comments": SIGNED_IN,
    "editorial.revisions": SIGNED_IN,
    "editorial.revision_diff": SIGNED_IN,
    "editorial.restore_revision": SIGNED_IN,
    "editorial.send_back": EDITOR,
    "editorial.add_link": EDITOR,
    "editorial.change_link": EDITOR,
    "editorial.keep_reading_options": EDITOR,
    "editorial.add_correction": EDITOR,
    "editorial.media_library": SIGNED_IN,
    "editorial.media_item": SIGNED_IN,
    "editorial.delete_media": SIGNED_IN,
    "editorial.users": ADMIN,
    "editorial.new_user": ADMIN,
    "editorial.user": ADMIN,
    "editorial.user_profile": ADMIN,
    "editorial.settings": ADMIN,
    "editorial.revoke_ban": ADMIN,
    "editorial.data": ADMIN,
    "editorial.start_import": ADMIN,
    "editorial.export_file": ADMIN,
    "editorial.send_reset_link": ADMIN,
    "editorial.deactivate_user": ADMIN,
    "editorial.reactivate_user": ADMIN,
    "editorial.security_log": ADMIN,
    "editorial.personal_data": ADMIN,
    "editorial.personal_data_export": ADMIN,
    "editorial.personal_data_erase": ADMIN,
}
ROLES = {"anonymous": None, "author": "author", "editor": "editor", "admin": "admin"}
RANK = {None: 0, "author": 1, "editor": 2, "admin": 3}
NEEDS = {ANYONE: 0, SIGNED_IN: 1, EDITOR: 2, ADMIN: 3}


@pytest.fixture
def world(app, make_user, make_article, make_comment, add_link):
    people = {
        role: make_user(f"{role.title()} Person", role=role, email=f"{role}@example.org")
        for role in ("author", "editor", "admin")
    }
    target = make_article("Linked story", slug="linked", tags=("harbour",))
    article = make_article("Matrix story", slug="matrix", tags=("harbour",), author_id=people["author"])
    add_link(article, target_id=target)
    comment = make_comment(article, status=CommentStatus.PENDING)
    # The author's own draft: what an author may change (their published article is the editors' now).
    draft = make_article("Matrix draft", slug="matrix-draft", author_id=people["author"], published=False)
    with app.app_context():
        link_id = db.session.scalar(sa.select(RelatedLink.id))
        revision = ArticleRevision(article_id=draft, title="Matrix draft, first take")
        db.session.add(revision)
        db.session.commit()
        revision_id = revision.id
        assert db.session.get(Comment, comment) is not None
    samples = {
        "slug": "matrix",
        "article_id": article,
        "comment_id": comment,
        "user_id": people["author"],  # the author's number in URLs
        "revision_id": revision_id,
        "link_id": link_id,
        "action": "up",
        "name": "missing.webp",
        "key": "0" * 64,
        "ban_id": 1,
        "media_id": 1,
        "filename": "site.css",
        "number": 1,
        "token": "not-a-signed-token",
        "status": "trash",  # /moderation/empty/<status>
        "token_id": 1,
        "kind": "wxr",
    }
    overrides = {
        ("public.author", "slug"): "author-person",
        ("public.tag", "slug"): "harbour",
        ("feeds.author_feed", "slug"): "author-person",
        ("feeds.tag_feed", "slug"): "harbour",
        ("moderation.act", "action"): "approve",
        ("api.moderate_comment", "action"): "approve",
        **{
            (f"editorial.{name}", "article_id"): draft
            for name in ("article", "preview", "article_comments", "revisions", "revision_diff", "restore_revision")
        },
    }
    bystander = make_user("Bystander Person", role="author", email="bystander@example.org")
    for endpoint in ("editorial.deactivate_user", "editorial.reactivate_user", "editorial.send_reset_link"):
        overrides[(endpoint, "user_id")] = bystander  # the sample author must stay able to sign in
    return people, samples, overrides


def session_id(app, user_id: int) -> str:
    """What a signed-in session holds (User.get_id): read afresh, as signing out replaces the session token."""
    with app.app_context():
        return db.session.get(User, user_id).get_id()


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def url_for_rule(rule, samples, overrides) -> str:
    values = {arg: overrides.get((rule.endpoint, arg), samples[arg]) for arg in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def test_every_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - EXPECTED.keys() == set(), "new routes need a line in EXPECTED"
    assert EXPECTED.keys() - endpoints == set(), "EXPECTED names routes that no longer exist"


def test_roles_matrix(app, world):
    people, samples, overrides = world
    failures = []
    for rule, method in routes(app):
        url = url_for_rule(rule, samples, overrides)
        need = NEEDS[EXPECTED[rule.endpoint]]
        for label, role in ROLES.items():
            client = app.test_client()
            with client.session_transaction() as session:
                session["editable_comments"] = [samples["comment_id"]]  # everyone wrote it: ownership is not a role
                if role is not None:
                    session["_user_id"] = session_id(app, people[role])
                    session["_fresh"] = True
            response = client.open(url, method=method)
            response.close()  # file responses (static, avatars) hold an open file until closed
            to_login = response.status_code == 302 and response.headers["Location"].startswith("/login")
            if RANK[role] >= need:
                outcome_ok = response.status_code != 403 and not to_login and response.status_code < 500
                expected = "allowed"
            elif role is None:
                outcome_ok, expected = to_login, "sign-in redirect"
            else:
                outcome_ok, expected = response.status_code == 403, "403"
            if not outcome_ok:
                failures.append(f"{method} {url} as {label}: expected {expected}, got {response.status_code}")
    assert failures == []


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_every_state_changing_route_needs_the_csrf_token(app, world):
    people, samples, overrides = world
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id(app, people["admin"])
        session["_fresh"] = True
    posts = [(rule, method) for rule, method in routes(app) if method != "GET"]
    assert len(posts) >= 10
    for rule, method in posts:
        response = client.open(url_for_rule(rule, samples, overrides), method=method, data={"name": "x"})
        # The JSON API never takes the session as authority: a form post with the cookie alone is refused there
        # too, as not JSON (415) or without a bearer token (401).
        expected = (401, 415) if rule.endpoint.startswith("api.") else (400,)
        assert response.status_code in expected, (
            f"{method} {rule.rule} answered {response.status_code} without a CSRF token"
        )


# --- the staff API: personal access tokens' scopes x roles ------------------------------------------------------

# endpoint -> (scope the token needs, the least role that may use it); "own" notes the author's own article
STAFF_API = {
    "api.moderation_queue": ("moderate", EDITOR),
    "api.moderate_comment": ("moderate", EDITOR),
    "api.staff_articles": ("read", SIGNED_IN),
    "api.staff_article": ("read", SIGNED_IN),
    "api.create_article": ("write", SIGNED_IN),
    "api.publish_article": ("write", EDITOR),
    "api.update_article": ("write", SIGNED_IN),  # authors: their own draft (the sample article)
    "api.unpublish_article": ("write", EDITOR),
    "api.submit_article": ("write", SIGNED_IN),  # authors: their own draft
    "api.send_back_article": ("write", EDITOR),
}
SCOPES = ("read", "moderate", "write")
BODIES = {"api.send_back_article": {"note": "Add a source for the low water."}}  # else {}: a POST's JSON body


def test_every_staff_api_route_is_in_the_scope_table(app):
    from blog.api.staff import SECURITY  # noqa: F401  (the staff routes are the ones that declare it)

    staff = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and ("/staff/" in rule.rule or "/moderation/" in rule.rule)
    }
    assert staff == STAFF_API.keys()


def test_staff_api_token_scopes(app, world):
    from blog.core.api_scopes import Scope
    from blog.orm import utcnow
    from blog.services import api_tokens

    people, samples, overrides = world
    samples = {**samples, "article_id": overrides[("editorial.article", "article_id")]}  # the author's own draft
    failures = []
    for role in ("author", "editor", "admin"):
        for scope in SCOPES:
            with app.app_context():
                user = db.session.get(User, people[role])
                wanted = frozenset({Scope(scope)})
                if api_tokens.api_scopes.scopes_refusal(role, wanted):
                    continue  # an author cannot even make a moderate token (test_api_staff.py)
                _, secret = api_tokens.create_token(user, name=f"{role} {scope}", scopes=wanted, now=utcnow())
                db.session.commit()
            for rule, method in routes(app):
                if rule.endpoint not in STAFF_API:
                    continue
                needed, least = STAFF_API[rule.endpoint]
                url = url_for_rule(rule, samples, {**overrides, ("api.moderate_comment", "action"): "spam"})
                client = app.test_client()
                anonymous = client.open(url, method=method, json={} if method == "POST" else None)
                if anonymous.status_code != 401:
                    failures.append(f"{method} {url} without a token: {anonymous.status_code}")
                response = client.open(
                    url,
                    method=method,
                    headers={"Authorization": f"Bearer {secret}"},
                    json=BODIES.get(rule.endpoint, {}) if method == "POST" else None,
                )
                allowed = scope == needed and RANK[role] >= NEEDS[least]
                ok = (
                    response.status_code not in (401, 403) and response.status_code < 500
                    if allowed
                    else response.status_code == 403
                )
                if not ok:
                    failures.append(f"{method} {url} as {role} with {scope}: {response.status_code}")
    assert failures == []
