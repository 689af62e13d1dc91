"""Token and password primitives, attacked directly."""

import asyncio
import os
import secrets
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.errors import InvalidMfaToken, InvalidToken
from {{ cookiecutter.package_name }}.core.security import (
    VERIFIED_TOKENS_CACHED,
    PasswordHasher,
    TokenCodec,
    hash_token,
    new_refresh_token,
)

KEY = "k" * 64


@pytest.fixture
def codec() -> TokenCodec:
    return TokenCodec(secret_key=KEY, algorithm="HS256", expire_minutes=30)


def test_issued_token_round_trips(codec: TokenCodec):
    """A token we issued yields its user and session back."""
    assert codec.decode(codec.issue(user_id=7, session_id="s1").token).user_id == 7


@pytest.fixture
def host_clock_not_on_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The host's local time zone is nine hours ahead of UTC for the test."""
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset() exists on Unix only: the zone cannot change in-process here")
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()  # TZ back to the host's before tzset() reads it again
    time.tzset()


@pytest.mark.usefixtures("host_clock_not_on_utc")
@pytest.mark.parametrize("kind", ["access", "mfa"])
def test_token_lifetime_does_not_depend_on_the_hosts_time_zone(codec: TokenCodec, kind: str):
    """A token issued on a host whose clock is not on UTC still expires one lifetime from now."""
    if kind == "access":
        token = codec.issue(user_id=7, session_id="s1")
    else:
        token = codec.issue_mfa(user_id=7)
    claims = jwt.decode(token.token, options={"verify_signature": False})

    assert abs(claims["exp"] - time.time() - token.expires_in) < 60


def test_mfa_token_lives_as_long_as_the_setting_says():
    settings = Settings(
        secret_key=secrets.token_urlsafe(48), mfa_token_expire_minutes=2, _env_file=None
    )
    token = TokenCodec.from_settings(settings).issue_mfa(user_id=7)
    claims = jwt.decode(token.token, options={"verify_signature": False})

    assert token.expires_in == claims["exp"] - claims["iat"] == 120


def test_mfa_token_is_short_lived_by_default(codec: TokenCodec):
    """Five minutes: time to type a code, not to keep a half-logged-in token around."""
    assert codec.issue_mfa(user_id=7).expires_in == 300


def test_expired_token_is_refused(codec: TokenCodec):
    """A token past its `exp` is refused."""
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    token = codec.issue(user_id=7, session_id="s1", now=an_hour_ago).token

    with pytest.raises(InvalidToken):
        codec.decode(token)


def test_remembered_token_still_expires(codec: TokenCodec):
    """A token verified before (its claims remembered) is refused once it expires."""
    token = codec.issue(user_id=7, session_id="s1").token
    claims = codec.decode(token)

    with pytest.raises(InvalidToken):
        codec.decode(token, now=claims.expires_at)


def test_token_signed_with_another_key_is_refused(codec: TokenCodec):
    """A token signed with a different key is refused."""
    forged = TokenCodec(secret_key="z" * 40, algorithm="HS256", expire_minutes=30)

    with pytest.raises(InvalidToken):
        codec.decode(forged.issue(user_id=7, session_id="s1").token)


def test_unsigned_token_is_refused(codec: TokenCodec):
    """`alg: none` tokens are refused: the algorithm is pinned."""
    now = int(time.time())
    claims = {"sub": "7", "iat": now, "exp": now + 60, "jti": "j", "sid": "s", "type": "access"}
    token = jwt.encode(claims, "", algorithm="none")

    with pytest.raises(InvalidToken):
        codec.decode(token)


@pytest.mark.parametrize("missing", ["sub", "exp", "iat", "jti", "sid", "type"])
def test_token_missing_a_required_claim_is_refused(codec: TokenCodec, missing: str):
    """Every claim we rely on is required: a token without one is refused."""
    now = int(time.time())
    claims = {"sub": "7", "iat": now, "exp": now + 60, "jti": "j", "sid": "s", "type": "access"}
    del claims[missing]

    with pytest.raises(InvalidToken):
        codec.decode(jwt.encode(claims, KEY, algorithm="HS256"))


# Spelled out, not imported: a claim dropped from the module's list must still be tested.
@pytest.mark.parametrize("missing", ["sub", "exp", "iat", "jti", "type"])
def test_mfa_token_missing_a_required_claim_is_refused(codec: TokenCodec, missing: str):
    """The login's MFA token needs every claim too: without `exp` it would never expire,
    without `type` an access token could stand in for it."""
    now = int(time.time())
    claims = {"sub": "7", "iat": now, "exp": now + 60, "jti": "j", "type": "mfa"}
    del claims[missing]

    with pytest.raises(InvalidMfaToken):
        codec.decode_mfa(jwt.encode(claims, KEY, algorithm="HS256"))


def test_remembered_tokens_are_bounded(codec: TokenCodec):
    """The cache of verified tokens keeps at most VERIFIED_TOKENS_CACHED of them, however
    many distinct tokens arrive."""
    for user_id in range(VERIFIED_TOKENS_CACHED + 10):
        codec.decode(codec.issue(user_id=user_id + 1, session_id="s").token)

    assert codec._verified.cache_info().currsize == VERIFIED_TOKENS_CACHED


def test_token_of_another_type_is_refused(codec: TokenCodec):
    """Only tokens typed `access` are accepted as access tokens."""
    now = int(time.time())
    claims = {"sub": "7", "iat": now, "exp": now + 60, "jti": "j", "sid": "s", "type": "refresh"}

    with pytest.raises(InvalidToken):
        codec.decode(jwt.encode(claims, KEY, algorithm="HS256"))


def test_token_signed_with_another_algorithm_is_refused(codec: TokenCodec):
    """A token signed with HS512 is refused by a codec pinned to HS256."""
    now = int(time.time())
    claims = {"sub": "7", "iat": now, "exp": now + 60, "jti": "j", "sid": "s", "type": "access"}

    with pytest.raises(InvalidToken):
        codec.decode(jwt.encode(claims, KEY, algorithm="HS512"))


def test_tokens_are_signed_with_the_configured_algorithm():
    """JWT_ALGORITHM is the algorithm a token is signed with, not the library's default."""
    codec = TokenCodec(secret_key=KEY, algorithm="HS512", expire_minutes=30)

    token = codec.issue(user_id=7, session_id="s1").token

    assert jwt.get_unverified_header(token)["alg"] == "HS512"
    assert codec.decode(token).user_id == 7


@pytest.mark.parametrize("subject", ["seven", "7a", ""])
def test_token_whose_subject_is_not_a_user_id_is_refused(codec: TokenCodec, subject: str):
    """A correctly signed token whose subject is not a number is refused as invalid, for
    access and MFA tokens alike, rather than failing on the way to a user id."""
    now = int(time.time())
    claims = {"sub": subject, "iat": now, "exp": now + 60, "jti": "j", "sid": "s"}

    with pytest.raises(InvalidToken):
        codec.decode(jwt.encode({**claims, "type": "access"}, KEY, algorithm="HS256"))
    with pytest.raises(InvalidMfaToken):
        codec.decode_mfa(jwt.encode({**claims, "type": "mfa"}, KEY, algorithm="HS256"))


def test_tampered_token_is_refused(codec: TokenCodec):
    """Changing any character of the payload breaks the signature."""
    header, payload, signature = codec.issue(user_id=7, session_id="s1").token.split(".")
    tampered = f"{header}.{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}"

    with pytest.raises(InvalidToken):
        codec.decode(f"{tampered}.{signature}")


def test_refresh_tokens_are_random_and_hashed():
    """Refresh tokens never repeat, and what is stored is a fixed-length digest."""
    first, second = new_refresh_token(), new_refresh_token()

    assert first != second
    assert len(first) >= 43
    assert hash_token(first) != first
    assert len(hash_token(first)) == 64


async def test_hasher_verifies_only_the_right_password():
    """A hash verifies its password and nothing else; a missing hash never verifies."""
    hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    hashed = await hasher.hash("open sesame")

    assert hashed.startswith("$argon2id$")
    assert await hasher.verify("open sesame", hashed)
    assert not await hasher.verify("open sesame!", hashed)
    assert not await hasher.verify("open sesame", None)
    assert not await hasher.verify("open sesame", "not-a-hash")


async def test_hash_parameters_come_from_the_settings():
    """The ARGON2_* settings are what a stored hash records, not the library's defaults."""
    settings = Settings(
        secret_key=secrets.token_urlsafe(48),
        argon2_time_cost=2,
        argon2_memory_cost=9216,
        argon2_parallelism=2,
        _env_file=None,
    )

    hashed = await PasswordHasher.from_settings(settings).hash("open sesame")

    # None of these is the library's default (t=3, m=65536, p=4).
    assert "$m=9216,t=2,p=2$" in hashed


async def most_hashes_at_once(
    hasher: PasswordHasher, monkeypatch: pytest.MonkeyPatch, *, burst: int
) -> int:
    """The most hashes `hasher` runs at the same time while `burst` of them are asked at once."""
    real_hash = hasher._hash.hash
    lock = threading.Lock()
    running, most = 0, 0

    def counting_hash(password: str) -> str:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        try:
            return real_hash(password)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(hasher._hash, "hash", counting_hash)
    await asyncio.gather(*(hasher.hash(f"password {n}") for n in range(burst)))
    return most


async def test_hasher_runs_at_most_max_concurrent_hashes_at_once(
    monkeypatch: pytest.MonkeyPatch,
):
    """A burst of logins queues for the hashing slots instead of taking a thread (and 19 MiB)
    each."""
    hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1, max_concurrent=2)

    assert await most_hashes_at_once(hasher, monkeypatch, burst=6) == 2


async def test_hasher_runs_one_hash_per_cpu_by_default(monkeypatch: pytest.MonkeyPatch):
    """With no explicit bound, as many hashes run at once as there are CPUs to run them."""
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)

    assert await most_hashes_at_once(hasher, monkeypatch, burst=6) == 3


async def test_hasher_releases_memory_once_idle():
    """After a burst of hashes, freed memory is handed back once, when the hasher goes idle."""
    released = []
    hasher = PasswordHasher(
        time_cost=1,
        memory_cost=8192,
        parallelism=1,
        release_memory=lambda: released.append(True),
        idle_seconds=0.05,
    )

    hashed = await hasher.hash("one")
    await asyncio.gather(*(hasher.verify("one", hashed) for _ in range(4)))
    assert released == []  # not while hashes keep coming
    await asyncio.sleep(0.3)

    assert released == [True]


async def test_hasher_keeps_memory_while_any_hash_runs(monkeypatch: pytest.MonkeyPatch):
    """Freed memory is not handed back while a hash is still running, however long it takes:
    only once the last one ends and the hasher stays idle."""
    released = []
    hasher = PasswordHasher(
        time_cost=1,
        memory_cost=8192,
        parallelism=1,
        max_concurrent=2,
        release_memory=lambda: released.append(True),
        idle_seconds=0.05,
    )
    real_hash = hasher._hash.hash

    def hash_slowly_if_asked(password: str) -> str:
        if password == "slow":
            time.sleep(0.5)
        return real_hash(password)

    monkeypatch.setattr(hasher._hash, "hash", hash_slowly_if_asked)
    slow = asyncio.create_task(hasher.hash("slow"))
    await hasher.hash("quick")
    await asyncio.sleep(0.2)
    assert released == []  # the slow hash is still running

    await slow
    await asyncio.sleep(0.3)
    assert released == [True]


async def test_unknown_user_check_never_hashes_on_the_event_loop(monkeypatch: pytest.MonkeyPatch):
    """Even the first verification without a stored hash runs its hashing in a worker thread."""
    loop_thread = threading.get_ident()
    hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    real_hash = hasher._hash.hash
    threads = []

    def spy(password: str) -> str:
        threads.append(threading.get_ident())
        return real_hash(password)

    monkeypatch.setattr(hasher._hash, "hash", spy)

    assert not await hasher.verify("anything", None)
    assert threads
    assert loop_thread not in threads
