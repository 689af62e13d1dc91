"""Authentication use cases: login (with a second factor when on), refresh-token
rotation, logout, token checks.

Every failure looks the same from outside: an unknown email, a wrong password
and a deactivated account cost one hash verification and raise the same error.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog

from {{ cookiecutter.package_name }}.core.errors import (
    InactiveUser,
    InvalidCredentials,
    InvalidMfaCode,
    InvalidMfaToken,
    InvalidRefreshToken,
    InvalidToken,
)
from {{ cookiecutter.package_name }}.core.ratelimit import RateLimiter
from {{ cookiecutter.package_name }}.core.security import (
    AccessClaims,
    PasswordHasher,
    TokenCodec,
    hash_token,
    new_refresh_token,
)
from {{ cookiecutter.package_name }}.db.uow import UnitOfWork
from {{ cookiecutter.package_name }}.models.session import AuthSession, RefreshToken
from {{ cookiecutter.package_name }}.schemas.auth import MfaChallenge, TokenPair
from {{ cookiecutter.package_name }}.schemas.user import PASSWORD_MAX_LENGTH, UserRead, normalize_email
from {{ cookiecutter.package_name }}.services.audit import audit_entry
from {{ cookiecutter.package_name }}.services.mfa import MfaService

logger = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: who they are and which token and session they used."""

    user: UserRead
    claims: AccessClaims


@dataclass(frozen=True, slots=True)
class AuthPolicy:
    refresh_lifetime: timedelta
    login_attempts_per_account: str
    # No refresh token outlives its session's start plus this (SESSION_MAX_LIFETIME_DAYS).
    session_lifetime: timedelta = timedelta(days=30)
    # Zero: every reuse of a spent refresh token revokes its session
    # (REFRESH_REUSE_INTERVAL_SECONDS).
    refresh_reuse_interval: timedelta = timedelta(0)


class AuthService:
    """Issues, rotates, checks and revokes credentials."""

    def __init__(
        self,
        uow: UnitOfWork,
        *,
        hasher: PasswordHasher,
        tokens: TokenCodec,
        limiter: RateLimiter,
        policy: AuthPolicy,
        mfa: MfaService,
    ) -> None:
        self.uow = uow
        self.mfa = mfa  # shares this service's Unit of Work
        self.hasher = hasher
        self.tokens = tokens
        self.limiter = limiter
        self.policy = policy

    async def login(self, *, email: str, password: str) -> TokenPair | MfaChallenge:
        """Exchange an email and password for a new session's token pair, or, when the
        account has MFA on, for a short-lived MFA token to spend at `verify_mfa`.

        Every attempt counts against the account's limit as it starts; over the limit it
        is refused (429) before any hashing, whether or not the account exists.
        """
        email = normalize_email(email)
        await self.limiter.hit(self.policy.login_attempts_per_account, "login", email)
        # Not mutated: the block only reads, so its mode changes how it reads, not what.
        async with self.uow(read_only=True):  # pragma: no mutate
            user = await self.uow.users.get_by_email(email)
            user_id, hashed, active = (
                (user.id, user.hashed_password, user.is_active) if user else (None, None, False)
            )
        # Hash outside the transaction: no connection is held during the slow part.
        # Over-long passwords are never valid, but cost the same time to refuse.
        verified = await self.hasher.verify(password[:PASSWORD_MAX_LENGTH], hashed)
        if user_id is None or not verified or not active or len(password) > PASSWORD_MAX_LENGTH:
            await self._audit_failed_login(user_id, email)
            logger.info("login_failed", user_id=user_id)
            raise InvalidCredentials
        async with self.uow:
            # Asked only now, after the password proved right: it reveals nothing to a guesser.
            if await self.uow.mfa.get_enabled(user_id) is not None:
                challenge = self.tokens.issue_mfa(user_id=user_id)
                logger.info("mfa_challenge_issued", user_id=user_id)
                return MfaChallenge(mfa_token=challenge.token, expires_in=challenge.expires_in)
            pair = await self._start_session(user_id)
            await self.uow.audit.add(
                audit_entry("auth.login_succeeded", actor_id=user_id, entity=("user", user_id))
            )
            await self.uow.commit()
        logger.info("user_logged_in", user_id=user_id)
        return pair

    async def verify_mfa(self, *, mfa_token: str, code: str) -> TokenPair:
        """Finish a login with MFA: spend an authenticator or recovery code for a token pair.

        Every code counts against the account's limit as it is tried; once the limit is
        reached, even a right code is refused (429) until the window has passed.
        """
        user_id = self.tokens.decode_mfa(mfa_token)
        await self.mfa.count_attempt(user_id)
        now = datetime.now(UTC)
        async with self.uow:
            user = await self.uow.users.get(user_id)
            factor = await self.uow.mfa.get_enabled(user_id)
            # The account changed since the password step (deactivated, MFA turned off).
            if user is None or not user.is_active or factor is None:
                raise InvalidMfaToken
            used = await self.mfa.redeem(factor, code, now=now)
            if used is not None:
                pair = await self._start_session(user_id)
                await self.uow.audit.add(
                    audit_entry(
                        "auth.login_succeeded",
                        actor_id=user_id,
                        entity=("user", user_id),
                        details={"second_factor": used.value},
                    )
                )
                await self.uow.commit()
                logger.info("user_logged_in", user_id=user_id, second_factor=used.value)
                return pair
        await self.mfa.record_failure(user_id, "login")
        raise InvalidMfaCode

    async def refresh(self, refresh_token: str) -> TokenPair:
        """Spend a refresh token for a new pair in the same session, until the session's
        absolute lifetime ends.

        A token that was already spent is evidence of theft (the thief or the owner
        replays it): the whole session is revoked and the caller refused. With a reuse
        interval, a token spent moments ago whose successor is still unspent (two tabs
        refreshing at once) gets that same successor instead.
        """
        now = datetime.now(UTC)
        async with self.uow:
            found = await self.uow.sessions.get_refresh_token(hash_token(refresh_token))
            if found is None:
                raise InvalidRefreshToken
            token, session = found
            if session.revoked_at is not None or token.expires_at <= now:
                raise InvalidRefreshToken
            # Tokens are capped when issued; this also ends those issued under a longer lifetime.
            if self._end_of(session) <= now:
                raise InvalidRefreshToken
            reissued: tuple[str, datetime] | None = None
            if not await self.uow.sessions.spend_refresh_token(token.id, now=now):
                reissued = await self._unspent_successor(token, refresh_token, now=now)
                if reissued is None:
                    await self._revoke_reused_family(session, now=now)
                    raise InvalidRefreshToken
            user = await self.uow.users.get(session.user_id)
            if user is None or not user.is_active:
                raise InvalidRefreshToken
            if reissued is not None:
                # Nothing to write: the successor stored by the first use is handed out again.
                logger.info("refresh_token_reissued", user_id=user.id)
                return self._pair(user.id, session.id, *reissued, now=now)
            pair = await self._issue_pair(user.id, session, now=now, spent=refresh_token)
            await self.uow.commit()
            return pair

    async def logout(self, principal: Principal, refresh_token: str) -> None:
        """End the caller's session and the one `refresh_token` belongs to (if theirs)."""
        now = datetime.now(UTC)
        async with self.uow:
            found = await self.uow.sessions.get_refresh_token(hash_token(refresh_token))
            if found is not None and found[1].user_id == principal.user.id:
                await self.uow.sessions.revoke(found[1].id, now=now)
            await self.uow.sessions.revoke(principal.claims.session_id, now=now)
            await self.uow.audit.add(
                audit_entry(
                    "auth.logged_out",
                    actor_id=principal.user.id,
                    entity=("session", principal.claims.session_id),
                )
            )
            await self.uow.commit()
        logger.info("user_logged_out", user_id=principal.user.id)

    async def logout_all(self, principal: Principal) -> None:
        """End every session of the caller, on every device."""
        now = datetime.now(UTC)
        async with self.uow:
            count = await self.uow.sessions.revoke_all(principal.user.id, now=now)
            await self.uow.audit.add(
                audit_entry(
                    "auth.logged_out_everywhere",
                    actor_id=principal.user.id,
                    entity=("user", principal.user.id),
                    details={"sessions": count},
                )
            )
            await self.uow.commit()
        logger.info("user_logged_out_everywhere", user_id=principal.user.id, sessions=count)

    async def authenticate(self, token: str) -> Principal:
        """The active user behind a bearer token whose session is still live."""
        claims = self.tokens.decode(token)
        async with self.uow(read_only=True):
            row = await self.uow.sessions.get_user_of_live_session(
                claims.user_id, claims.session_id
            )
        if row is None:
            raise InvalidToken
        user = UserRead.model_validate(row)
        if not user.is_active:
            raise InactiveUser
        return Principal(user=user, claims=claims)

    async def _audit_failed_login(self, user_id: int | None, email: str) -> None:
        # Its own transaction: the failure is recorded although the login is refused.
        async with self.uow:
            await self.uow.audit.add(
                audit_entry(
                    "auth.login_failed",
                    actor_id=user_id,
                    entity=("user", user_id) if user_id is not None else None,
                    details={"email": email},
                )
            )
            await self.uow.commit()

    async def _start_session(self, user_id: int) -> TokenPair:
        now = datetime.now(UTC)
        session = await self.uow.sessions.add(
            AuthSession(id=uuid.uuid4().hex, user_id=user_id, created_at=now)
        )
        return await self._issue_pair(user_id, session, now=now)

    def _end_of(self, session: AuthSession) -> datetime:
        """When `session` ends, however often it is refreshed (ASVS 3.3.2)."""
        return session.created_at + self.policy.session_lifetime

    async def _issue_pair(
        self, user_id: int, session: AuthSession, *, now: datetime, spent: str | None = None
    ) -> TokenPair:
        """A new pair in `session`; `spent` is the refresh token it replaces, if any."""
        if spent is not None and self.policy.refresh_reuse_interval > timedelta(0):
            # Derived, so a second use of `spent` within the interval can find it again.
            refresh = self.tokens.successor_refresh_token(spent)
        else:
            refresh = new_refresh_token()
        expires_at = min(now + self.policy.refresh_lifetime, self._end_of(session))
        await self.uow.sessions.add_refresh_token(
            RefreshToken(
                session_id=session.id, token_hash=hash_token(refresh), expires_at=expires_at
            )
        )
        return self._pair(user_id, session.id, refresh, expires_at, now=now)

    def _pair(
        self,
        user_id: int,
        session_id: str,
        refresh: str,
        refresh_expires_at: datetime,
        *,
        now: datetime,
    ) -> TokenPair:
        # The refresh token ends no later than the session: neither does the access token.
        access = self.tokens.issue(
            user_id=user_id, session_id=session_id, now=now, not_after=refresh_expires_at
        )
        return TokenPair(
            access_token=access.token,
            expires_in=access.expires_in,
            refresh_token=refresh,
            refresh_expires_in=int((refresh_expires_at - now).total_seconds()),
        )

    async def _unspent_successor(
        self, spent: RefreshToken, presented: str, *, now: datetime
    ) -> tuple[str, datetime] | None:
        """The successor of `presented` and its expiry, when `presented` was spent within the
        reuse interval and the successor is still unspent; None when this is reuse."""
        # Not mutated: with no interval the successor was random (`_issue_pair`) and is never found.
        if self.policy.refresh_reuse_interval <= timedelta(0):  # pragma: no mutate
            return None
        # Read again: the rotation that spent it may have committed after `spent` was loaded.
        used_at = await self.uow.sessions.get_used_at(spent.id)
        if used_at is None or now - used_at > self.policy.refresh_reuse_interval:
            return None
        successor = self.tokens.successor_refresh_token(presented)
        found = await self.uow.sessions.get_refresh_token(hash_token(successor))
        if found is None or found[0].used_at is not None or found[0].expires_at <= now:
            return None
        return successor, found[0].expires_at

    async def _revoke_reused_family(self, session: AuthSession, *, now: datetime) -> None:
        # Committed here: the revocation stands although the caller is refused.
        await self.uow.sessions.revoke(session.id, now=now)
        await self.uow.audit.add(
            audit_entry(
                "auth.refresh_token_reused",
                actor_id=session.user_id,
                entity=("session", session.id),
            )
        )
        await self.uow.commit()
        logger.warning("refresh_token_reused", user_id=session.user_id)
