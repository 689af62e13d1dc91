"""Password hashing (Argon2id via pwdlib) and access tokens (PyJWT).

Hashing is deliberately slow and CPU-bound, so both hashing and verification run
in a worker thread: the event loop keeps serving other requests meanwhile
(argon2-cffi releases the GIL).
"""

import asyncio
import base64
import hashlib
import hmac
import os
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, TypeVar

import jwt
from anyio import CapacityLimiter, to_thread
from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError
from pwdlib.hashers.argon2 import Argon2Hasher

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.errors import (
    AuthenticationError,
    InvalidMfaToken,
    InvalidToken,
)
from {{ cookiecutter.package_name }}.core.runtime import release_free_memory

T = TypeVar("T")


REQUIRED_CLAIMS = ("exp", "iat", "sub", "jti", "sid", "type")
MFA_REQUIRED_CLAIMS = ("exp", "iat", "sub", "jti", "type")
REFRESH_TOKEN_BYTES = 32
# Keeps successor derivation apart from every other use of SECRET_KEY (JWT signatures).
SUCCESSOR_LABEL = b"refresh-token-successor\x00"
# Access tokens whose verified claims are remembered (a few hundred bytes each).
VERIFIED_TOKENS_CACHED = 1024


class PasswordHasher:
    """Hashes and verifies passwords off the event loop, at most one per CPU at a time.

    Each Argon2id computation holds `memory_cost` KiB: without a bound, a login storm
    would run one per worker thread (40 by default) and balloon the process; with it,
    extra logins queue for a core they could not have used anyway.
    """

    def __init__(
        self,
        *,
        time_cost: int,
        memory_cost: int,
        parallelism: int,
        max_concurrent: int = 0,
        release_memory: Callable[[], object] | None = None,
        idle_seconds: float = 1.0,
    ) -> None:
        self._hash = PasswordHash(
            (Argon2Hasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism),)
        )
        self._max_concurrent = max_concurrent or os.cpu_count() or 1
        self._slots: CapacityLimiter | None = None
        self._release_memory = release_memory or release_free_memory
        self._idle_seconds = idle_seconds
        self._in_flight = 0
        self._trim: asyncio.TimerHandle | None = None
        self._dummy: str | None = None

    async def _run(self, func: Callable[..., T], *args: object) -> T:
        if self._slots is None:  # created lazily: it needs a running event loop
            self._slots = CapacityLimiter(self._max_concurrent)
        if self._trim is not None:
            self._trim.cancel()
            self._trim = None
        self._in_flight += 1
        try:
            return await to_thread.run_sync(func, *args, limiter=self._slots)
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._trim = asyncio.get_running_loop().call_later(
                    self._idle_seconds, self._release_when_idle
                )

    def _release_when_idle(self) -> None:
        # Hash buffers freed during a burst stay in malloc's arenas, fast to reuse. Once no
        # hash has run for a while, hand them back to the OS, off the event loop.
        self._trim = None
        asyncio.get_running_loop().run_in_executor(None, self._release_memory)

    @classmethod
    def from_settings(cls, settings: Settings) -> "PasswordHasher":
        return cls(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_cost,
            parallelism=settings.argon2_parallelism,
        )

    async def _dummy_hash(self) -> str:
        """A real hash of a random value, made once (in a worker thread, like every hash):
        verified when the user does not exist, so an unknown email costs the same time as a
        wrong password."""
        if self._dummy is None:
            self._dummy = await self._run(self._hash.hash, uuid.uuid4().hex)
        return self._dummy

    async def hash(self, password: str) -> str:
        return await self._run(self._hash.hash, password)

    async def verify(self, password: str, hashed: str | None) -> bool:
        """True when `password` matches `hashed`; with no hash, burn the same time and fail."""
        if hashed is None:
            await self._run(self._hash.verify, password, await self._dummy_hash())
            return False
        try:
            return await self._run(self._hash.verify, password, hashed)
        except (ValueError, UnknownHashError):  # a hash this hasher cannot read never matches
            return False


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What a verified access token says: whose it is, which session, which token."""

    user_id: int
    session_id: str
    jti: str
    expires_at: datetime


class TokenCodec:
    """Creates and checks signed access tokens with a pinned algorithm."""

    def __init__(
        self, *, secret_key: str, algorithm: str, expire_minutes: int, mfa_expire_minutes: int = 5
    ) -> None:
        self._key = secret_key
        self._algorithm = algorithm
        self._lifetime = timedelta(minutes=expire_minutes)
        self._mfa_lifetime = timedelta(minutes=mfa_expire_minutes)
        # A client sends the same access token with every request until it expires. The claims
        # of a token verified once are remembered by its exact text, which skips the signature
        # and JSON work when it comes back; expiry is still checked on every use.
        # Failures are never cached: a bad token is checked in full each time.
        self._verified = lru_cache(maxsize=VERIFIED_TOKENS_CACHED)(self._verify)

    @classmethod
    def from_settings(cls, settings: Settings) -> "TokenCodec":
        return cls(
            secret_key=settings.secret_key,
            algorithm=settings.jwt_algorithm,
            expire_minutes=settings.access_token_expire_minutes,
            mfa_expire_minutes=settings.mfa_token_expire_minutes,
        )

    def successor_refresh_token(self, token: str) -> str:
        """The refresh token that replaces `token` at rotation, under this codec's key."""
        return successor_refresh_token(token, key=self._key)

    def issue(
        self,
        *,
        user_id: int,
        session_id: str,
        now: datetime | None = None,
        not_after: datetime | None = None,
    ) -> AccessToken:
        """An access token for the session, valid for the usual lifetime but never past
        `not_after` (the session's end, so no token outlives it)."""
        now = now or datetime.now(UTC)
        lifetime = self._lifetime if not_after is None else min(self._lifetime, not_after - now)
        return self._sign(user_id, "access", lifetime, now, sid=session_id)

    def decode(self, token: str, *, now: datetime | None = None) -> AccessClaims:
        """The claims of a valid access token; any defect raises InvalidToken."""
        claims = self._verified(token)
        if claims.expires_at <= (now or datetime.now(UTC)):
            raise InvalidToken
        return claims

    def issue_mfa(self, *, user_id: int, now: datetime | None = None) -> AccessToken:
        """A short-lived token saying "this user gave the right password", good only for
        `POST /auth/mfa/verify`: it has no session, and `decode` refuses its type."""
        return self._sign(user_id, "mfa", self._mfa_lifetime, now)

    def decode_mfa(self, token: str) -> int:
        """The user id of a valid MFA token; any defect (or another type) raises InvalidMfaToken."""
        claims = self._checked(token, "mfa", MFA_REQUIRED_CLAIMS, InvalidMfaToken)
        return int(claims["sub"])

    def _verify(self, token: str) -> AccessClaims:
        # Only access tokens open the API: a token minted for another purpose never does.
        claims = self._checked(token, "access", REQUIRED_CLAIMS, InvalidToken)
        return AccessClaims(
            user_id=int(claims["sub"]),
            session_id=str(claims["sid"]),
            jti=str(claims["jti"]),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        )

    def _sign(
        self,
        user_id: int,
        token_type: str,
        lifetime: timedelta,
        now: datetime | None,
        **extra: str,
    ) -> AccessToken:
        now = now or datetime.now(UTC)
        claims = {
            "sub": str(user_id),
            "iat": now,
            "exp": now + lifetime,
            "jti": uuid.uuid4().hex,
            "type": token_type,
            **extra,
        }
        token = jwt.encode(claims, self._key, algorithm=self._algorithm)
        return AccessToken(token=token, expires_in=int(lifetime.total_seconds()))

    def _checked(
        self,
        token: str,
        token_type: str,
        required: tuple[str, ...],
        error: type[AuthenticationError],
    ) -> dict[str, Any]:
        """The claims of a token signed by us, of `token_type`, with a numeric subject."""
        try:
            claims = jwt.decode(
                token, self._key, algorithms=[self._algorithm], options={"require": list(required)}
            )
        except jwt.PyJWTError as exc:
            raise error from exc
        subject = claims["sub"]
        if claims["type"] != token_type or not isinstance(subject, str) or not subject.isdigit():
            raise error
        return claims


def new_refresh_token() -> str:
    """An opaque, unguessable refresh token (256 bits)."""
    return secrets.token_urlsafe(REFRESH_TOKEN_BYTES)


def successor_refresh_token(token: str, *, key: str) -> str:
    """The refresh token issued in exchange for `token` when a reuse interval is on.

    Only hashes are stored, so a second use of `token` within the interval cannot read back
    the successor it was given: it recomputes it instead. Keyed (HMAC-SHA256 under the app's
    key), so a leaked spent token does not give away its successor; the same shape as
    `new_refresh_token()` (32 bytes, base64url without padding).
    """
    digest = hmac.new(key.encode(), SUCCESSOR_LABEL + token.encode(), hashlib.sha256).digest()
    # Not mutated: base64 of 32 bytes never ends in "X", so `rstrip(b"XX=XX")` strips the same.
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()  # pragma: no mutate


def hash_token(token: str) -> str:
    """What is stored instead of a token: a database leak then yields nothing usable.

    A plain SHA-256 suffices because the token is random and long, not a password.
    """
    return hashlib.sha256(token.encode()).hexdigest()
