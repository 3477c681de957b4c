"""Two-factor sign-in rules: time-based codes (TOTP, RFC 6238) and single-use recovery codes.

A code belongs to a 30-second time step. One is accepted for the current step or one step either side (a
phone's clock drifts), and only for a step later than the last one accepted for that account: a code that was
seen once — by a shoulder-surfer, a proxy log, a phishing page — is refused the second time.

Recovery codes are random (50 bits each), so a keyed hash (HMAC) is enough to store them: unlike a password,
nobody can guess one to try against the hash, and a keyed hash lets the database find the code by its digest.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1  # steps accepted either side of the current one
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper without mistakes
_RECOVERY_GROUP = 5
_CODE = re.compile(rf"[0-9]{{{DIGITS}}}")  # ASCII digits only (\d also matches ٣)


def new_secret() -> str:
    """A new shared secret: 32 base32 characters (160 bits), what authenticator apps expect."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(name=account, issuer_name=issuer)


def grouped_secret(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def step_at(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def normalise_code(typed: str) -> str:
    """What a person typed, without the spaces and dashes apps and paper put in (``123 456``, ``abcde-fghjk``)."""
    return re.sub(r"[\s-]+", "", typed).lower()


def looks_like_code(typed: str) -> bool:
    """Six digits: an app's code; anything else is tried as a recovery code."""
    return bool(_CODE.fullmatch(normalise_code(typed)))


class Verdict(enum.Enum):
    ACCEPTED = "accepted"
    REPLAYED = "replayed"  # right code, but its step was already used
    WRONG = "wrong"


@dataclass(frozen=True)
class CodeCheck:
    verdict: Verdict
    step: int | None = None  # the step the code belongs to, when accepted: store it as the last one used


def check_code(secret: str, typed: str, *, now: datetime, last_step: int | None) -> CodeCheck:
    """Whether ``typed`` is the code of a step within the drift of ``now`` that is later than ``last_step``."""
    code = normalise_code(typed)
    if not _CODE.fullmatch(code):
        return CodeCheck(Verdict.WRONG)
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = step_at(now)
    replayed = False
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            if last_step is not None and step <= last_step:
                replayed = True
                continue
            return CodeCheck(Verdict.ACCEPTED, step)
    return CodeCheck(Verdict.REPLAYED if replayed else Verdict.WRONG)


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    """``count`` codes like ``k7m2p-xq9ra``, each 10 characters from a 31-letter alphabet (~50 bits)."""
    return [
        "-".join("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_GROUP)) for _ in range(2))
        for _ in range(count)
    ]


def recovery_code_digest(key: str | bytes, typed: str) -> str:
    """The stored form of a recovery code (HMAC-SHA256 under ``key``); a code typed with other spacing, dashes
    or capitals has the same digest."""
    secret = key.encode() if isinstance(key, str) else key
    return hmac.new(secret, b"recovery-code:" + normalise_code(typed).encode(), hashlib.sha256).hexdigest()
