"""The TOTP second factor (RFC 6238, via pyotp): secrets, codes and recovery codes.

TOTP secrets must be readable to check a code, so they are encrypted rather than
hashed: Fernet (AES-128-CBC with HMAC-SHA256) under keys from
MFA_ENCRYPTION_KEYS. The first key encrypts and every listed key decrypts, so a
key is rotated by putting the new one first. Recovery codes are random and long,
so, like refresh tokens, only their SHA-256 is stored.
"""

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime

import pyotp
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

TOTP_DIGITS = 6
TOTP_INTERVAL = 30
# Codes of the previous and next time step are accepted too: a phone clock 30 s off works.
TOTP_DRIFT_STEPS = 1
# Lower case without look-alikes (0/o, 1/l/i): ten characters carry about 49 bits.
RECOVERY_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_GROUP = 5


def derived_key(secret_key: str) -> str:
    """A Fernet key derived from SECRET_KEY: used outside production when no
    MFA_ENCRYPTION_KEYS is set, so development and tests need no extra secret."""
    digest = hashlib.sha256(b"mfa-encryption:" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def check_key(key: str) -> None:
    """Raise ValueError unless `key` is a Fernet key (32 bytes, URL-safe base64)."""
    Fernet(key)


class SecretBox:
    """Encrypts TOTP secrets at rest; decrypts with any of its keys."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("SecretBox needs at least one key")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def rotate(self, ciphertext: str) -> str:
        """The same secret, encrypted under the first key (ValueError if no key opens it)."""
        try:
            return self._fernet.rotate(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("no MFA encryption key opens this secret") from exc

    def decrypt(self, ciphertext: str) -> str:
        """The plaintext; ValueError if no key opens it (a key was dropped too early)."""
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("no MFA encryption key opens this secret") from exc


class Totp:
    """Time-based one-time codes, six digits every 30 seconds (what authenticator apps use)."""

    def __init__(self, *, issuer: str) -> None:
        self.issuer = issuer

    @staticmethod
    def new_secret() -> str:
        """A fresh secret: 32 base32 characters, 160 bits (RFC 4226's recommendation)."""
        return pyotp.random_base32()

    def provisioning_uri(self, secret: str, *, account: str) -> str:
        """The `otpauth://` URI an authenticator app reads from a QR code."""
        return self._totp(secret).provisioning_uri(name=account, issuer_name=self.issuer)

    def matching_step(self, secret: str, code: str, *, now: datetime) -> int | None:
        """The time step whose code is `code`, within the allowed drift of `now`, or None.

        The caller records the step, so a code is accepted once per step (no replay).
        """
        if not is_totp_code(code):
            return None
        totp = self._totp(secret)
        current = totp.timecode(now)
        for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
            if hmac.compare_digest(totp.generate_otp(step), code):
                return step
        return None

    @staticmethod
    def _totp(secret: str) -> pyotp.TOTP:
        return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_INTERVAL)


def is_totp_code(code: str) -> bool:
    return len(code) == TOTP_DIGITS and code.isascii() and code.isdigit()


def new_recovery_codes(count: int) -> list[str]:
    """`count` fresh single-use codes, shown once, like `k7m2q-x9d4p`."""

    def group() -> str:
        return "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_GROUP))

    return [f"{group()}-{group()}" for _ in range(count)]


def normalize_recovery_code(code: str) -> str:
    """What users type, as it is stored: case, spaces and hyphens do not matter."""
    return "".join(code.split()).replace("-", "").lower()
