"""The API against its own OpenAPI document, fuzzed by Schemathesis: every operation, no 5xx, no answer that
violates the document (status, content type, headers, body schema)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from blog.core.api_scopes import Scope
from blog.extensions import db
from blog.models import CommentStatus, User
from blog.orm import utcnow
from blog.services import api_tokens


@pytest.fixture
def api_schema(app, make_user, make_article, make_comment, add_link):
    writer = make_user("Rosa Tide", bio="Covers the *harbour*.")
    other = make_article("Ferry timetable", slug="ferry", tags=("harbour",), author_id=writer)
    article = make_article("Harbour vote", slug="harbour-vote", tags=("harbour", "council"), author_id=writer)
    add_link(article, target_id=other)
    first = make_comment(article, name="Ann Reader", email="ann@example.net")
    make_comment(article, name="Bo Reply", email="bo@example.net", parent_id=first, minutes=1)
    make_comment(article, name="Held", email="held@example.net", status=CommentStatus.PENDING, minutes=2)
    editor = make_user("Ed Itor", role="editor")
    with app.app_context():  # a token with every scope: the staff routes are fuzzed signed in
        user = db.session.get(User, editor)
        _, secret = api_tokens.create_token(user, name="fuzz", scopes=frozenset(Scope), now=utcnow())
        db.session.commit()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), {"Authorization": f"Bearer {secret}"}


BEYOND_THE_SCHEMA = {
    "/api/v1/articles/{slug}/comments",
    "/api/v1/staff/articles",
    "/api/v1/staff/articles/{article_id}",
    "/api/v1/staff/articles/{article_id}/send-back",  # its note: a NUL character
}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_the_api_keeps_its_contract(api_schema, mode):
    api_schema, auth = api_schema
    # Each operation in turn, inside one test (Schemathesis' own pytest plugin needs a fixture-made schema that
    # its parametrisation cannot get from a parametrised app fixture here).
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 8
    fuzzed = 0
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            # Rules no schema can express answer 422 to schema-valid input: a cursor's date that does not exist
            # (February 31st), a comment's signed form token, an article's section that is not one of its tags, a NUL
            # character in any text (blog/inputs.py: 400).
            excluded = [positive_data_acceptance] if case.operation.path in BEYOND_THE_SCHEMA else []
            case.call_and_validate(headers=auth, excluded_checks=excluded)

        try:
            check()
        except Unsatisfiable:  # nothing invalid to send: any text is a valid slug, and the route has no query
            assert mode is GenerationMode.NEGATIVE, operation.label
        else:
            fuzzed += 1
    assert fuzzed >= len(operations) // 2


def test_the_api_keeps_its_contract_along_its_links(api_schema):
    """Stateful: sequences that follow the document's links (a listed article's slug into its page and comments,
    a new article's id into its page and publication, the queue's first comment into an action)."""
    api_schema, auth = api_schema
    machine = api_schema.as_state_machine()

    class Linked(machine):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case):
            return {"headers": auth}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # ignored_auth: the sequences carry our token in place of the auth they generate (the test above
            # checks that a missing or wrong token is refused on every staff route)
            excluded = [ignored_auth]
            if case.operation.path in BEYOND_THE_SCHEMA:
                excluded.append(positive_data_acceptance)
            case.validate_response(response, excluded_checks=excluded, transport_kwargs=kwargs or None)

    Linked.run(
        settings=settings(
            max_examples=10,
            stateful_step_count=4,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
    )
