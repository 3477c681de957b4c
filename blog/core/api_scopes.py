"""Personal access tokens' scopes, and which roles may hold and use each (docs/architecture.md, "Who may do what").

- ``read``: the staff API's reads (one's articles, drafts included; for editors, every article);
- ``moderate``: the moderation queue and its actions (editors and admins);
- ``write``: making and changing articles (authors their own drafts; editors any article, and publishing).
"""

from __future__ import annotations

import enum
import hashlib
import secrets


class Scope(enum.StrEnum):
    READ = "read"
    MODERATE = "moderate"
    WRITE = "write"


# role name -> the scopes a token of that person may carry and use (checked again at each request: a role
# lowered after the token was made lowers what the token can do).
ROLE_SCOPES: dict[str, frozenset[Scope]] = {
    "author": frozenset({Scope.READ, Scope.WRITE}),
    "editor": frozenset({Scope.READ, Scope.MODERATE, Scope.WRITE}),
    "admin": frozenset({Scope.READ, Scope.MODERATE, Scope.WRITE}),
}

TOKEN_PREFIX = "cbt_"  # noqa: S105  ("courier bearer token", not a secret: recognisable in a leaked-secret scan)


def parse_scopes(text: str) -> frozenset[Scope]:
    """The stored space-separated form; unknown words are dropped."""
    return frozenset(Scope(word) for word in text.split() if word in Scope._value2member_map_)


def format_scopes(scopes: frozenset[Scope] | set[Scope]) -> str:
    return " ".join(s.value for s in Scope if s in scopes)


def scopes_refusal(role: str, wanted: frozenset[Scope]) -> str | None:
    """Why a person of this role may not make a token with these scopes, or None."""
    if not wanted:
        return "Choose at least one scope."
    extra = wanted - ROLE_SCOPES.get(role, frozenset())
    if extra:
        return f"Your role may not hold the scope {', '.join(sorted(extra))}."
    return None


def may_use(role: str, held: frozenset[Scope], needed: Scope) -> bool:
    """A request that needs ``needed``, with a token that holds ``held``, by a person of ``role``."""
    return needed in held and needed in ROLE_SCOPES.get(role, frozenset())


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """SHA-256 is enough for a random 256-bit secret (nothing to guess); no key, so a lookup by hash works."""
    return hashlib.sha256(secret.encode()).hexdigest()
