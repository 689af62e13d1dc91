"""The TOTP mechanics: which codes match, encryption at rest, recovery code format."""

import base64
import os
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest

from {{ cookiecutter.package_name }}.core.mfa import (
    SecretBox,
    Totp,
    new_recovery_codes,
    normalize_recovery_code,
)

NOW = datetime(2026, 11, 30, 12, 0, 10, tzinfo=UTC)
STEP = timedelta(seconds=30)


def fernet_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@pytest.fixture
def totp() -> Totp:
    return Totp(issuer="Kitsune Service")


def code_at(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(when)


def test_code_of_now_and_one_step_either_side_match(totp: Totp):
    """The current code and those one step early or late match, each at its own step."""
    secret = totp.new_secret()
    current = pyotp.TOTP(secret).timecode(NOW)

    steps = [
        totp.matching_step(secret, code_at(secret, NOW + offset * STEP), now=NOW)
        for offset in (-1, 0, 1)
    ]

    assert steps == [current - 1, current, current + 1]


def test_codes_two_steps_away_and_wrong_codes_do_not_match(totp: Totp):
    """Two steps of drift is too much; a wrong, short or non-digit code never matches."""
    secret = totp.new_secret()
    right = code_at(secret, NOW)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    for code in (code_at(secret, NOW - 2 * STEP), code_at(secret, NOW + 2 * STEP), wrong):
        assert totp.matching_step(secret, code, now=NOW) is None
    for code in ("12345", "1234567", "abcdef", "١٢٣٤٥٦"):
        assert totp.matching_step(secret, code, now=NOW) is None


def test_provisioning_uri_names_issuer_and_account(totp: Totp):
    """The otpauth URI carries the secret, the issuer and the account for the app."""
    secret = totp.new_secret()

    uri = urlparse(totp.provisioning_uri(secret, account="ann@example.com"))

    assert uri.scheme == "otpauth"
    assert uri.netloc == "totp"
    query = parse_qs(uri.query)
    assert query["secret"] == [secret]
    assert query["issuer"] == ["Kitsune Service"]
    assert "ann%40example.com" in uri.path or "ann@example.com" in uri.path
    assert len(secret) == 32


def test_secret_box_round_trips_and_hides_the_secret():
    """The ciphertext does not contain the secret; the same key decrypts it."""
    box = SecretBox([fernet_key()])
    secret = Totp.new_secret()

    ciphertext = box.encrypt(secret)

    assert secret not in ciphertext
    assert box.decrypt(ciphertext) == secret


def test_secret_box_rotation_reads_old_secrets_and_refuses_unknown_keys():
    """With a new key first, secrets under the old key still open; without it they do not."""
    old, new = fernet_key(), fernet_key()
    stored = SecretBox([old]).encrypt("JBSWY3DPEHPK3PXP")

    assert SecretBox([new, old]).decrypt(stored) == "JBSWY3DPEHPK3PXP"
    with pytest.raises(ValueError, match="no MFA encryption key"):
        SecretBox([new]).decrypt(stored)


def test_recovery_codes_are_distinct_readable_and_forgiving():
    """Codes look like `k7m2q-x9d4p`, differ from each other, and are matched whatever
    the case, spaces or hyphens the user types."""
    codes = new_recovery_codes(10)

    assert len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in codes)
    typed = f" {codes[0].upper().replace('-', ' ')} "
    assert normalize_recovery_code(typed) == normalize_recovery_code(codes[0])
