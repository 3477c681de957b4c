"""What the public may learn about a commenter: a name, and an avatar that reveals nothing.

Every keyed hash of personal data (the avatar, the IP hash) uses the hash key, ``HASH_KEY``: never a plain
hash of an address, which anyone could reverse with a list of addresses, and never ``SECRET_KEY`` itself,
so that rotating the secret key signs everyone out without changing a single stored hash.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import re
import unicodedata


def derive_hash_key(secret_key: str | bytes) -> str:
    """The hash key of a site that sets none: one-way from ``SECRET_KEY``, so it never reveals the secret."""
    return hmac.new(_bytes(secret_key), b"hash-key", hashlib.sha256).hexdigest()


# Something@something.tld anywhere in the text, after NFKC folding (a full-width "＠" is an "@" to a reader).
_EMAIL_IN_TEXT = re.compile(r"[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+\.[^\s@<>()\[\],;:\"]*[^\W_]", re.UNICODE)


def contains_email_address(text: str) -> bool:
    """Whether ``text`` (a commenter's name, say) holds what reads as an email address: names are published."""
    return bool(_EMAIL_IN_TEXT.search(unicodedata.normalize("NFKC", text)))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def avatar_key(hash_key: str | bytes, email: str) -> str:
    return hmac.new(_bytes(hash_key), b"avatar:" + normalise_email(email).encode(), hashlib.sha256).hexdigest()


AVATAR_COLOURS = 12  # the stylesheet defines .avatar-0 … .avatar-11


def avatar_colour(hash_key: str | bytes, email: str) -> int:
    """A stable colour index per commenter, for the initials avatar (stored with each comment)."""
    return int(avatar_key(hash_key, email)[:8], 16) % AVATAR_COLOURS


@functools.lru_cache(maxsize=4096)  # a page shows the same names on every view
def initials(name: str) -> str:
    parts = [p for p in name.split() if p[:1].isalnum()]
    if not parts:
        return "?"
    letters = parts[0][0] + (parts[-1][0] if len(parts) > 1 else "")
    return letters.upper()


def ip_hash(hash_key: str | bytes, ip: str) -> str:
    return hmac.new(_bytes(hash_key), b"ip:" + ip.encode(), hashlib.sha256).hexdigest()


def _bytes(key: str | bytes) -> bytes:
    return key.encode() if isinstance(key, str) else key


def person_key(hash_key: str | bytes, email: str) -> str:
    """A keyed hash that names an address without holding it: for records that must outlive the address (the
    audit trail of a data request), where a later request from the same address can still be matched."""
    return hmac.new(_bytes(hash_key), b"person:" + normalise_email(email).encode(), hashlib.sha256).hexdigest()


# --- Networks: who is "one reader" for reports and bans ---------------------------------------------------------
# An IPv4 household or small office usually shares one address, and a phone's address moves within its carrier's
# /24; an IPv6 site is given a whole /64 (RFC 6177), and a device picks new addresses inside it at will (privacy
# extensions, RFC 8981). So one reader is one IPv4 /24 or one IPv6 /64, and an IPv4 address written as IPv6
# (``::ffff:192.0.2.7``, as a dual-stack socket reports it) is the IPv4 address it carries.
IPV4_PREFIX = 24
IPV6_PREFIX = 64


def network_of(ip: str) -> str | None:
    """The network an address belongs to, as text (``192.0.2.0/24``, ``2001:db8:1:2::/64``); None when ``ip``
    is not an IP address."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):  # the IPv4 address it carries, or itself without a zone index
        address = address.ipv4_mapped or ipaddress.IPv6Address(int(address))
    prefix = IPV4_PREFIX if address.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def network_key(hash_key: str | bytes, ip: str) -> str:
    """A keyed hash of the /24 or /64 network ``ip`` is in (``network_of``); "" when it is not an address."""
    network = network_of(ip)
    if network is None:
        return ""
    return hmac.new(_bytes(hash_key), b"network:" + network.encode(), hashlib.sha256).hexdigest()


def feature_key(hash_key: str | bytes, feature: str) -> str:
    """A spam-filter feature that names a person (their name's words, their website, a link's domain) as it is
    stored: a keyed hash, so the learned counts hold no name or address in clear, and no erasure has to find them."""
    return "k:" + hmac.new(_bytes(hash_key), b"spam:" + feature.encode(), hashlib.sha256).hexdigest()[:40]
