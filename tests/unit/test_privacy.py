import hashlib

import pytest

from blog.core import privacy


def test_avatar_key_is_keyed_and_not_a_plain_hash():
    email = "Reader@Example.net"
    key = privacy.avatar_key("secret", email)
    assert key == privacy.avatar_key("secret", " reader@example.net ")
    assert key != privacy.avatar_key("other-secret", email)
    for plain in (
        hashlib.md5(b"reader@example.net", usedforsecurity=False).hexdigest(),
        hashlib.sha256(b"reader@example.net").hexdigest(),
    ):
        assert plain not in key


def test_avatar_colour_is_stable_and_in_range():
    colours = {privacy.avatar_colour("s", f"user{i}@example.net") for i in range(200)}
    assert colours <= set(range(privacy.AVATAR_COLOURS))
    assert len(colours) > 6
    assert privacy.avatar_colour("s", "a@example.net") == privacy.avatar_colour("s", "A@EXAMPLE.NET")


def test_initials():
    assert privacy.initials("Ada Lovelace") == "AL"
    assert privacy.initials("cher") == "C"
    assert privacy.initials("Jean-Luc de la Marche") == "JM"
    assert privacy.initials("  ") == "?"
    assert privacy.initials("— …") == "?"


@pytest.mark.parametrize(
    "name",
    [
        "<script>alert(1)</script>",
        '"><img src=x>',
        "&amp; Co",
        "'quoted' name",
        "<b>Bold</b> <i>Move</i>",
        "ǆemal ßtraße",
        "😀 Smile",
        "x\u0000y z",
    ],
)
def test_initials_are_letters_or_digits_only(name):
    """The thread template writes them without escaping (public/_thread.html): nothing in them may need it."""
    result = privacy.initials(name)
    assert result == "?" or all(ch.isalnum() for ch in result)
    assert not set(result) & set("<>&\"'`=")


def test_the_derived_hash_key_is_one_way_and_follows_the_secret_key():
    key = privacy.derive_hash_key("old-secret")
    assert key == privacy.derive_hash_key(b"old-secret") != privacy.derive_hash_key("new-secret")
    assert "old-secret" not in key and len(key) == 64


def test_the_ip_hash_is_keyed_and_never_the_raw_ip():
    digest = privacy.ip_hash("key", "203.0.113.7")
    assert "203.0.113.7" not in digest and digest != privacy.ip_hash("other-key", "203.0.113.7")
    assert hashlib.sha256(b"203.0.113.7").hexdigest() != digest


@pytest.mark.parametrize(
    "name",
    [
        "pat@example.net",
        "Pat Reader <pat@example.net>",
        "Pat (pat.reader+blog@mail.example.co.uk)",
        "PAT@EXAMPLE.NET",
        "pat＠example．net",  # full-width: folded by NFKC, reads the same
        "jöns@exämple.se",
    ],
)
def test_a_name_holding_an_email_address_is_spotted(name):
    assert privacy.contains_email_address(name)


@pytest.mark.parametrize(
    "name",
    ["Pat Reader", "Pat @ Home", "@pat", "pat@", "pat@localhost", "Dr. A. Reader", "O'Brien & Co.", "a@b."],
)
def test_ordinary_names_are_not_email_addresses(name):
    assert not privacy.contains_email_address(name)


def test_person_key_names_an_address_without_holding_it():
    key = privacy.person_key("k1", " Sam@Example.org ")
    assert key == privacy.person_key("k1", "sam@example.org")  # one address, one key, whatever its case
    assert key != privacy.person_key("k2", "sam@example.org")  # keyed
    assert key != privacy.avatar_key("k1", "sam@example.org")  # its own purpose
    assert key != hashlib.sha256(b"sam@example.org").hexdigest()
