"""One reader for reports and bans is one network: an IPv4 /24 or an IPv6 /64 (core.privacy.network_of)."""

import hashlib

import pytest

from blog.core import privacy


@pytest.mark.parametrize(
    ("ip", "network"),
    [
        ("192.0.2.7", "192.0.2.0/24"),
        ("192.0.2.255", "192.0.2.0/24"),
        (" 198.51.100.1 ", "198.51.100.0/24"),
        ("2001:db8:1:2:a:b:c:d", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::1", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),  # a zone index is not part of the address
        ("::ffff:192.0.2.7", "192.0.2.0/24"),  # IPv4-mapped IPv6: the IPv4 address it carries
        ("::ffff:c000:0207", "192.0.2.0/24"),  # the same, written in hex
    ],
)
def test_the_network_of_an_address(ip, network):
    assert privacy.network_of(ip) == network


@pytest.mark.parametrize("ip", ["", "unknown", "192.0.2", "192.0.2.300", "2001:db8::g", "192.0.2.0/24"])
def test_what_is_not_an_address_has_no_network(ip):
    assert privacy.network_of(ip) is None
    assert privacy.network_key("k", ip) == ""


def test_addresses_in_one_network_share_a_key_and_neighbours_do_not():
    key = privacy.network_key("k", "192.0.2.7")
    assert key == privacy.network_key("k", "192.0.2.200") == privacy.network_key("k", "::ffff:192.0.2.9")
    assert key != privacy.network_key("k", "192.0.3.7")
    six = privacy.network_key("k", "2001:db8:1:2::1")
    assert six == privacy.network_key("k", "2001:db8:1:2:ffff:ffff:ffff:ffff")
    assert six != privacy.network_key("k", "2001:db8:1:3::1")


def test_the_network_key_is_keyed_and_not_a_plain_hash():
    key = privacy.network_key("secret", "192.0.2.7")
    assert len(key) == 64
    assert key != privacy.network_key("other-secret", "192.0.2.7")
    assert key != privacy.ip_hash("secret", "192.0.2.7")  # an address's hash is not its network's
    for text in (b"192.0.2.0/24", b"192.0.2.7"):
        assert key not in (hashlib.sha256(text).hexdigest(), hashlib.md5(text, usedforsecurity=False).hexdigest())
