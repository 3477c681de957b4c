"""Two-factor rules: a code within one step of drift, accepted once; recovery codes matched by their digest."""

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from blog.core import two_factor as tf

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = datetime(2026, 11, 1, 12, 0, 10, tzinfo=UTC)  # 10 s into a step
TOTP = pyotp.TOTP(SECRET)


def code_at(moment: datetime) -> str:
    return TOTP.at(moment)


def test_the_current_code_is_accepted_with_its_step():
    check = tf.check_code(SECRET, code_at(NOW), now=NOW, last_step=None)
    assert check == tf.CodeCheck(tf.Verdict.ACCEPTED, tf.step_at(NOW))


@pytest.mark.parametrize("offset", [-30, 30])
def test_one_step_of_drift_either_side_is_accepted(offset):
    check = tf.check_code(SECRET, code_at(NOW + timedelta(seconds=offset)), now=NOW, last_step=None)
    assert check.verdict is tf.Verdict.ACCEPTED
    assert check.step == tf.step_at(NOW) + offset // 30


@pytest.mark.parametrize("offset", [-60, 60, -3600])
def test_codes_further_away_are_wrong(offset):
    check = tf.check_code(SECRET, code_at(NOW + timedelta(seconds=offset)), now=NOW, last_step=None)
    assert check.verdict is tf.Verdict.WRONG


def test_a_used_step_and_earlier_ones_are_replays():
    step = tf.step_at(NOW)
    assert tf.check_code(SECRET, code_at(NOW), now=NOW, last_step=step).verdict is tf.Verdict.REPLAYED
    earlier = NOW - timedelta(seconds=30)
    assert tf.check_code(SECRET, code_at(earlier), now=NOW, last_step=step).verdict is tf.Verdict.REPLAYED
    later = NOW + timedelta(seconds=30)
    assert tf.check_code(SECRET, code_at(later), now=NOW, last_step=step).step == step + 1


def test_typing_with_spaces_is_fine_and_non_codes_are_wrong():
    code = code_at(NOW)
    assert tf.check_code(SECRET, f" {code[:3]} {code[3:]} ", now=NOW, last_step=None).verdict is tf.Verdict.ACCEPTED
    for typed in ("", "12345", "1234567", "abcdef", "١٢٣٤٥٦"):
        assert tf.check_code(SECRET, typed, now=NOW, last_step=None).verdict is tf.Verdict.WRONG


def test_another_secret_gives_wrong():
    other = pyotp.random_base32()
    assert tf.check_code(other, code_at(NOW), now=NOW, last_step=None).verdict is tf.Verdict.WRONG


def test_looks_like_code():
    assert tf.looks_like_code("123 456")
    assert not tf.looks_like_code("k7m2p-xq9ra")


def test_recovery_codes_are_distinct_readable_and_match_however_typed():
    codes = tf.new_recovery_codes()
    assert len(codes) == len(set(codes)) == 10
    assert all(len(c) == 11 and c[5] == "-" and not set(c) & set("01lio") for c in codes)
    code = codes[0]
    digest = tf.recovery_code_digest("key", code)
    assert tf.recovery_code_digest("key", f" {code.upper().replace('-', ' ')} ") == digest
    assert tf.recovery_code_digest("other key", code) != digest
    assert tf.recovery_code_digest("key", codes[1]) != digest
    assert code not in digest


def test_new_secret_and_provisioning_uri():
    secret = tf.new_secret()
    assert len(secret) == 32
    uri = tf.provisioning_uri(secret, account="ed@example.org", issuer="The Courier")
    assert uri.startswith("otpauth://totp/The%20Courier:ed%40example.org?secret=" + secret)
    assert tf.grouped_secret("ABCDEFGH") == "ABCD EFGH"
