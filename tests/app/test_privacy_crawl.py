"""The promise: a commenter's email address never reaches any public output, in any encoding.

Seeds comments from tricky addresses, then crawls every public URL reachable from the home page
(plus feeds, sitemap and other public entry points) and searches bodies and headers.
"""

import contextlib
import hashlib
import html
import re
from collections import deque
from urllib.parse import quote, quote_plus, urlsplit

import pytest
import sqlalchemy as sa

from blog.extensions import db
from blog.models import Article, Comment, CommentStatus, User
from blog.services import media, redirects
from tests.app.test_pictures import picture_bytes

# With forgery protection on, as in production: the forms are sent the way a browser sends them.
pytestmark = pytest.mark.app_config(WTF_CSRF_ENABLED=True)

ADDRESSES = [
    "reader.one@example.net",
    "sam+news@example.org",
    "Mixed.Case@Example.COM",
    "josé.álvarez@example.net",
    "anna@bücher.example",
    "zoë@例え.example",
]
# Public entry points not necessarily linked from pages; a route that does not exist yet answers 404.
EXTRA_URLS = [
    "/feed.atom",
    "/sitemap.xml",
    "/robots.txt",
    "/privacy",
    "/search?q=harbour",
    "/search?q=example.net",
    "/articles/harbour-vote/comments/1/edit",  # another browser's comment: refused, with a message
    "/account/reset-password/not-a-link-we-sent",
    "/login/two-factor",  # without a password first: back to the sign-in page
    "/2019/04/harbour-vote/",  # an old address of the article (the redirects table): 301
    # The JSON API: its lists lead on to every article, author, tag and comment page (links in "url"/"next")
    "/api/v1/articles",
    "/api/v1/articles/harbour-vote/comments",
    "/api/v1/articles/ferry-returns/comments?order=newest",
    "/api/v1/authors",
    "/api/v1/tags",
    "/api/v1/openapi.json",
    "/api/v1/docs",
]


def encodings(address: str) -> set[str]:
    """Every form in which an address could leak, lower-cased for a case-insensitive search."""
    lowered = address.lower()
    local, _, domain = lowered.partition("@")
    forms = {address, lowered}
    with contextlib.suppress(UnicodeError):
        forms.add(f"{local}@{domain.encode('idna').decode('ascii')}")
    for form in list(forms):
        forms |= {
            quote(form),
            quote(form, safe=""),
            quote_plus(form),
            form.replace("@", "&#64;"),
            form.replace("@", "&#x40;"),
            html.escape(form),
            "".join(f"&#{ord(ch)};" for ch in form),
            "".join(f"&#x{ord(ch):x};" for ch in form),
        }
    for form in (lowered, address.strip().lower()):
        data = form.encode()
        forms |= {
            hashlib.md5(data, usedforsecurity=False).hexdigest(),
            hashlib.sha1(data, usedforsecurity=False).hexdigest(),
            hashlib.sha256(data).hexdigest(),
        }
    return {f.lower() for f in forms}


@pytest.fixture
def seeded(app, make_user, make_article, make_comment, post_comment):
    author = make_user("Ruth Calloway", bio="Covers the council.")
    first = make_article("Harbour vote tonight", author_id=author, tags=("harbour", "council"), slug="harbour-vote")
    second = make_article("Ferry returns", author_id=author, tags=("ferries",), slug="ferry-returns")
    with app.app_context():  # a lead image (its files are public too) and an old address that redirects
        article = db.session.get(Article, first)
        picture = media.upload(picture_bytes(), actor=db.session.get(User, author), alt_text="The harbour at dusk")
        media.set_lead(article, picture)
        redirects.remember_old_path(article, "/2019/04/harbour-vote/")
        db.session.commit()
    parent = None
    for n, address in enumerate(ADDRESSES):
        response = post_comment(
            "harbour-vote",
            name=f"Commenter {n}",
            email=address,
            body=f"Comment number {n}",
            website="https://example.com/me" if n % 2 else "",
            remember="y",
        )
        assert response.status_code == 303, address
        parent = make_comment(second, name=f"Replier {n}", email=address, body=f"Reply {n}", parent_id=parent)
    make_comment(
        first, name="Still waiting", email="pending.person@example.net", body="pending", status=CommentStatus.PENDING
    )
    with app.app_context():  # approve the form-submitted ones too, so they are all on show
        db.session.execute(
            sa.update(Comment).where(Comment.author_name.like("Commenter%")).values(status=CommentStatus.APPROVED)
        )
        db.session.commit()
    return ADDRESSES + ["pending.person@example.net"]


def crawl(client, start: list[str], limit: int = 400) -> dict[str, tuple[int, str, str]]:
    seen: dict[str, tuple[int, str, str]] = {}
    queue = deque(start)
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        body = response.get_data().decode("utf-8", "replace")  # pictures too: an address in their metadata
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        seen[url] = (response.status_code, body, headers)
        links = re.findall(
            r'(?:href|src|action)="([^"]+)"|<loc>([^<]+)</loc>|"(?:url|api_url|next)": ?"(/[^"]+)"', body
        )
        for link in links:
            target = html.unescape(link[0] or link[1] or link[2])
            parts = urlsplit(target)
            if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local not in seen and not parts.path.startswith("/static/"):
                queue.append(local)
    return seen


def test_no_commenter_email_in_any_public_output(client, seeded):
    # A fresh visitor: no cookies from the commenters above.
    client._cookies.clear()
    pages = crawl(client, ["/", *EXTRA_URLS])
    ok_pages = [url for url, (status, _, _) in pages.items() if status == 200]
    assert any(u.startswith("/articles/") for u in ok_pages) and any(u.startswith("/authors/") for u in ok_pages)
    assert any(u.startswith("/tags/") for u in ok_pages) and any("replytocom=" in u for u in ok_pages)
    assert any("comments=newest" in u for u in ok_pages)  # the other comment order
    assert any(u.startswith("/media/") for u in ok_pages)  # the lead image's file
    assert "/account/forgot-password" in ok_pages  # linked from the sign-in page
    assert pages["/2019/04/harbour-vote/"][0] == 301
    api = [u for u in ok_pages if u.startswith("/api/v1/")]
    # the API's article, its comments, authors' lists
    assert "/api/v1/articles/harbour-vote" in api and "/api/v1/articles/ferry-returns" in api
    assert any(u.startswith("/api/v1/authors/") for u in api) and any(u.startswith("/api/v1/tags/") for u in api)
    assert any(re.fullmatch(r"/articles/[^/]+/comments/\d+", u) for u in pages)  # comment permalinks (redirects)
    assert all(status < 500 for status, _, _ in pages.values())

    leaks = []
    for address in seeded:
        for needle in encodings(address):
            for url, (_, body, headers) in pages.items():
                if needle in body.lower() or needle in headers.lower():
                    leaks.append((address, needle, url))
    assert leaks == []


def test_the_commenters_own_browser_gets_back_only_their_own_address(client, make_article, post_comment):
    make_article("Own address", slug="own")
    post_comment("own", name="Me Myself", email="me.myself@example.net", remember="y")
    own = client.get("/articles/own").get_data(as_text=True)
    assert own.count("me.myself@example.net") == 1  # the pre-filled form field, for its owner only
    assert 'value="me.myself@example.net"' in own


def test_no_address_in_mail_to_anyone_but_its_owner(app, client, make_user, make_article, post_comment):
    """Every mail the site sends about comments — confirmations, reply notifications (each and digest), editors'
    held-comment mail — and every page its links open: an address appears only in mail to that address."""
    from blog.models import Delivery, MailSubscription, OutboxMail
    from blog.orm import utcnow
    from blog.services import moderation, notifications

    make_user("Eda Editor", role="editor", email="eda.editor@example.org")
    make_article("Harbour vote tonight", slug="harbour-vote")
    for n, address in enumerate(ADDRESSES):  # held first comments: editors are mailed; each asks for replies
        response = post_comment("harbour-vote", name=f"Commenter {n}", email=address, notify="y", remember="y")
        assert response.status_code == 303, address
    with app.app_context():
        now = utcnow()
        for n, subscription in enumerate(
            db.session.scalars(sa.select(MailSubscription).filter_by(topic="replies").order_by(MailSubscription.id))
        ):
            notifications.confirm(subscription, Delivery.DAILY if n == 0 else Delivery.IMMEDIATE, now=now)
        ids = list(db.session.scalars(sa.select(Comment.id).order_by(Comment.id)))
        moderation.moderate_many(ids, "approve", actor=None, now=now)
        db.session.commit()
    for n, address in enumerate(ADDRESSES):  # known now, so published at once: each answers the one before
        parent = ids[n - 1]
        response = post_comment(
            "harbour-vote", name=f"Commenter {n}", email=address, body=f"Reply {n}", parent_id=str(parent)
        )
        assert response.status_code == 303, address
    with app.app_context():
        assert notifications.send_digests() == 1
        mails = [
            (m.recipients, m.subject, m.body, str(m.headers or "")) for m in db.session.scalars(sa.select(OutboxMail))
        ]
    held = [m for m in mails if m[0] == ["eda.editor@example.org"]]
    assert len(held) == app.config["NOTIFY_RATE_LIMIT"]  # an hour's worth; the sixth waited (and was approved)
    assert len(mails) == len(held) + 2 * len(ADDRESSES)  # confirmations, then the replies (one in the digest)

    leaks, links = [], set()
    for recipients, subject, body, headers in mails:
        text = f"{subject}\n{body}\n{headers}".lower()
        links |= set(re.findall(r"http://localhost(/\S+)", body))
        for address in ADDRESSES:
            if [address.lower()] == [r.lower() for r in recipients]:
                continue
            leaks += [(address, needle, recipients) for needle in encodings(address) if needle in text]
    assert leaks == []
    client._cookies.clear()
    pages = crawl(client, sorted(links))
    assert any("/notifications/unsubscribe/" in url for url in pages)
    assert all(status < 500 for status, _, _ in pages.values())
    for address in ADDRESSES:
        for needle in encodings(address):
            for url, (_, body, headers) in pages.items():
                assert needle not in body.lower() and needle not in headers.lower(), (address, url)
