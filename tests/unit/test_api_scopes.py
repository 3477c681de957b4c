from blog.core.api_scopes import (
    Scope,
    format_scopes,
    hash_secret,
    may_use,
    new_secret,
    parse_scopes,
    scopes_refusal,
)

ALL = frozenset(Scope)


def test_scopes_round_trip_in_a_fixed_order():
    assert format_scopes({Scope.WRITE, Scope.READ}) == "read write"
    assert parse_scopes("write read bogus") == {Scope.READ, Scope.WRITE}


def test_authors_may_not_hold_moderate():
    assert scopes_refusal("author", frozenset({Scope.MODERATE})) == "Your role may not hold the scope moderate."
    assert scopes_refusal("author", frozenset({Scope.READ, Scope.WRITE})) is None
    assert scopes_refusal("editor", ALL) is None
    assert scopes_refusal("editor", frozenset()) == "Choose at least one scope."


def test_a_token_is_used_within_its_scopes_and_its_persons_role():
    assert may_use("editor", ALL, Scope.MODERATE)
    assert not may_use("editor", frozenset({Scope.READ}), Scope.MODERATE)
    assert not may_use("author", ALL, Scope.MODERATE)  # a role lowered after the token was made


def test_secrets_are_random_and_hashed():
    one, two = new_secret(), new_secret()
    assert one != two and one.startswith("cbt_") and len(one) > 40
    assert len(hash_secret(one)) == 64 and hash_secret(one) != hash_secret(two)
