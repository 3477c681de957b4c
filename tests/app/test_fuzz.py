"""Property-based fuzzing: whatever a client sends to a public page or form, the answer is never a 5xx, and
nothing already stored is lost.

The routes come from the app's URL map (every GET route that ``blog.policy`` opens to anyone), so a new
public page is fuzzed without a line here. Runs are derandomised (the same examples every run, for CI)
and small: the whole file takes seconds per database.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from blog import policy
from blog.extensions import db
from blog.models import Article, Tag, User
from blog.services.demo import load_demo
from tests.helpers import form_fields

# derandomize: the same examples on every run (CI); no shrinking: a failure shows its request as drawn, at once
# (shrinking an example that asks every route took minutes).
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Values that once broke something, mixed with arbitrary text (any Unicode, NUL included).
NASTY = [
    "",
    "0",
    "-1",
    "1",
    "2",
    "²",
    "٣",
    "1e3",
    "1.5",
    " 1",
    "99999999999999999999",
    str(2**63),
    "\x00",
    "a\x00b",
    "%00",
    "\ufffd",
    "[",
    "http://[::1",
    "javascript:123",
    "2026-01-01T00:00:00+00:00~99999999999999999999",
    "0001-01-01T00:00:00+05:00~1",
    "9999-12-31T23:59:59-05:00~1",
    "~",
    "\u202e",
    "😀" * 50,
    "x" * 5000,
]
KEYS = ["page", "q", "replytocom", "comments_after", "before", "after", "status", "article", "next", "ts"]
numbers = st.one_of(
    st.integers().map(str),  # and numbers in other scripts: "²" (isdigit, not int), "٣" (int)
    st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=3),
)
values = st.one_of(st.sampled_from(NASTY), st.text(max_size=40), numbers)
# Each parameter a page reads, maybe, with any value; and a few keys no page reads.
query_strings = st.tuples(
    st.fixed_dictionaries({}, optional={key: values for key in KEYS}),
    st.lists(st.tuples(st.text(max_size=12), values), max_size=2),
).map(lambda parts: [*parts[0].items(), *parts[1]])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | values,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def stored_rows(app) -> dict[str, set[str]]:
    with app.app_context():
        return {
            t.name: {repr(tuple(row)) for row in db.session.execute(sa.select(t))} for t in db.metadata.sorted_tables
        }


def assert_nothing_lost(before: dict[str, set[str]], after: dict[str, set[str]]) -> None:
    """Every row stored before is still there, unchanged (new rows, such as a held comment, may appear)."""
    for table, rows in before.items():
        if table in ("articles", "site_settings"):  # a comment count or a counter may move; the rows stay
            assert len(after[table]) >= len(rows), table
        else:
            assert rows <= after[table], table


@pytest.fixture
def demo(app):
    """The demo site; returns real path values for each kind of slug."""
    with app.app_context():
        load_demo()
        db.session.commit()
        return {
            "article": list(
                db.session.scalars(sa.select(Article.slug).where(Article.published_at.is_not(None)).limit(3))
            ),
            "author": list(db.session.scalars(sa.select(User.slug).limit(2))),
            "tag": list(db.session.scalars(sa.select(Tag.slug).limit(2))),
        }


def public_get_rules(app):
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if rule.methods - {"HEAD", "OPTIONS"} == {"GET"} and policy.rule_for(rule.endpoint) is policy.Need.ANYONE
        ),
        key=lambda rule: rule.rule,
    )


def path_values(rule, demo):
    """A strategy for the rule's path variables: real ones (so the page's own code runs) or fuzzed ones."""
    kind = "author" if "author" in rule.endpoint else "tag" if "tag" in rule.endpoint else "article"
    real = {
        "slug": demo[kind],
        "name": ["missing.webp"],
        "filename": ["site.css"],
        "number": [1],
        "comment_id": [1],
        "article_id": [1],  # the staff API's (anyone may ask; without a token the answer is a 401)
    }
    ids = st.integers(min_value=-3, max_value=2**70)
    fuzzed = {"number": ids, "comment_id": ids, "article_id": ids}
    return st.fixed_dictionaries(
        {
            arg: st.one_of(st.sampled_from(real.get(arg, ["x"])), fuzzed.get(arg, values))
            for arg in sorted(rule.arguments)
        }
    )


def test_public_pages_never_answer_5xx_whatever_the_query_string(app, demo):
    client = app.test_client()
    rules = public_get_rules(app)
    assert {"public.home", "public.article", "public.author", "public.tag", "search.results"} <= {
        r.endpoint for r in rules
    }
    before = stored_rows(app)

    @settings(FUZZ, max_examples=25)  # each example asks every route
    @given(data=st.data())
    def check(data):
        for rule in rules:
            url = rule.build(data.draw(path_values(rule, demo), label=rule.endpoint), append_unknown=False)[1]
            query = data.draw(query_strings, label="query")
            response = client.get(url, query_string=query)
            response.close()  # static files and avatars hold an open file until closed
            assert response.status_code < 500, (url, query)

    check()
    assert_nothing_lost(before, stored_rows(app))


COMMENT_FIELDS = ["name", "email", "website", "body", "parent_id", "remember", "url", "ts"]


def test_the_comment_form_never_answers_5xx_and_loses_nothing(app, demo):
    client = app.test_client()
    slug = demo["article"][0]
    fields = form_fields(client.get(f"/articles/{slug}").get_data(as_text=True))
    good = {"name": "Pat Reader", "email": "pat@example.net", "body": "A fine piece.", **fields}
    before = stored_rows(app)

    @FUZZ
    @given(data=st.data(), encoding=st.sampled_from(["form", "json"]))
    def check(data, encoding):
        field_values = values if encoding == "form" else json_values  # JSON: numbers, nulls, lists, objects too
        changes = data.draw(
            st.dictionaries(st.sampled_from(COMMENT_FIELDS) | st.text(max_size=8), field_values, max_size=5),
            label="changes",
        )
        body = good | changes
        if encoding == "form":
            response = client.post(f"/articles/{slug}/comments", data=body)
        else:
            response = client.post(f"/articles/{slug}/comments", json=body)
        assert response.status_code < 500, (encoding, body)

    check()
    assert_nothing_lost(before, stored_rows(app))


@FUZZ
@given(body=st.one_of(json_values.map(lambda v: json.dumps(v).encode()), st.binary(max_size=200)))
def test_any_json_body_to_the_public_forms_is_answered_without_5xx(app, demo, body):
    client = app.test_client()
    for url in (f"/articles/{demo['article'][0]}/comments", "/login"):
        response = client.post(url, data=body, content_type="application/json")
        assert response.status_code < 500, (url, body)


LOGIN_FIELDS = ["email", "password", "remember", "next", "csrf_token"]


def test_the_sign_in_form_never_answers_5xx_and_loses_nothing(app, demo):
    client = app.test_client()
    before = stored_rows(app)

    @settings(FUZZ, max_examples=30)  # each refused sign-in costs a password hash
    @given(data=st.data(), query=query_strings, encoding=st.sampled_from(["form", "json"]))
    def check(data, query, encoding):
        field_values = values if encoding == "form" else json_values
        fields = data.draw(
            st.fixed_dictionaries({}, optional={name: field_values for name in LOGIN_FIELDS}), label="fields"
        )
        payload = {"data": fields} if encoding == "form" else {"json": fields}
        response = client.post("/login", query_string=query, **payload)
        assert response.status_code < 500, (encoding, fields, query)

    check()
    assert_nothing_lost(before, stored_rows(app))
