"""Token and password primitives, attacked directly."""

import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from {{ cookiecutter.package_name }}.core.errors import InvalidToken
from {{ cookiecutter.package_name }}.core.security import PasswordHasher, TokenCodec

KEY = "k" * 40


@pytest.fixture
def codec() -> TokenCodec:
    return TokenCodec(secret_key=KEY, algorithm="HS256", expire_minutes=30)


def test_issued_token_round_trips(codec: TokenCodec):
    """A token we issued yields its subject back."""
    assert codec.subject(codec.issue("7").token) == "7"


def test_expired_token_is_refused(codec: TokenCodec):
    """A token past its `exp` is refused."""
    token = codec.issue("7", now=datetime.now(UTC) - timedelta(hours=1)).token

    with pytest.raises(InvalidToken):
        codec.subject(token)


def test_token_signed_with_another_key_is_refused(codec: TokenCodec):
    """A token signed with a different key is refused."""
    forged = TokenCodec(secret_key="z" * 40, algorithm="HS256", expire_minutes=30)

    with pytest.raises(InvalidToken):
        codec.subject(forged.issue("7").token)


def test_unsigned_token_is_refused(codec: TokenCodec):
    """`alg: none` tokens are refused: the algorithm is pinned."""
    now = int(time.time())
    token = jwt.encode(
        {"sub": "7", "iat": now, "exp": now + 60, "type": "access"}, None, algorithm="none"
    )

    with pytest.raises(InvalidToken):
        codec.subject(token)


@pytest.mark.parametrize("missing", ["sub", "exp", "iat"])
def test_token_missing_a_required_claim_is_refused(codec: TokenCodec, missing: str):
    """`sub`, `exp` and `iat` are all required."""
    now = int(time.time())
    claims = {"sub": "7", "iat": now, "exp": now + 60, "type": "access"}
    del claims[missing]

    with pytest.raises(InvalidToken):
        codec.subject(jwt.encode(claims, KEY, algorithm="HS256"))


def test_token_of_another_type_is_refused(codec: TokenCodec):
    """Only tokens typed `access` are accepted as access tokens."""
    now = int(time.time())
    claims = {"sub": "7", "iat": now, "exp": now + 60, "type": "refresh"}

    with pytest.raises(InvalidToken):
        codec.subject(jwt.encode(claims, KEY, algorithm="HS256"))


def test_tampered_token_is_refused(codec: TokenCodec):
    """Changing any character of the payload breaks the signature."""
    header, payload, signature = codec.issue("7").token.split(".")
    tampered = f"{header}.{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}"

    with pytest.raises(InvalidToken):
        codec.subject(f"{tampered}.{signature}")


async def test_hasher_verifies_only_the_right_password():
    """A hash verifies its password and nothing else; a missing hash never verifies."""
    hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    hashed = await hasher.hash("open sesame")

    assert hashed.startswith("$argon2id$")
    assert await hasher.verify("open sesame", hashed)
    assert not await hasher.verify("open sesame!", hashed)
    assert not await hasher.verify("open sesame", None)
    assert not await hasher.verify("open sesame", "not-a-hash")
