"""Password reset by email: request a link, then spend its token to set a new password.

The request always answers the same, at once: the lookup, the token and the
email all happen in a background task, so neither the answer nor its timing
says whether the account exists.
"""

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog

from {{ cookiecutter.package_name }}.core.email import Outbox, render_message
from {{ cookiecutter.package_name }}.core.errors import InvalidResetToken
from {{ cookiecutter.package_name }}.core.security import PasswordHasher, hash_token, new_refresh_token
from {{ cookiecutter.package_name }}.db.uow import UnitOfWork
from {{ cookiecutter.package_name }}.models.password_reset import PasswordResetToken
from {{ cookiecutter.package_name }}.schemas.user import normalize_email
from {{ cookiecutter.package_name }}.services.audit import audit_entry

logger = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ResetPolicy:
    lifetime: timedelta
    url_template: str
    sender: str
    project_name: str


class PasswordResetService:
    """Issues single-use reset tokens by email and redeems them."""

    def __init__(
        self, uow: UnitOfWork, *, hasher: PasswordHasher, outbox: Outbox, policy: ResetPolicy
    ) -> None:
        self.uow = uow
        self.hasher = hasher
        self.outbox = outbox
        self.policy = policy

    def request_reset(self, email: str) -> None:
        """Start the reset in the background and return at once."""
        task = asyncio.create_task(self._issue(normalize_email(email)))
        # The outbox keeps tasks alive and lets tests and shutdown wait for them.
        self.outbox.track(task)

    async def confirm_reset(self, *, token: str, new_password: str) -> None:
        """Spend `token` and set `new_password`; every session of the user ends.

        The token is looked up before the password is hashed, so a guessed token costs a
        read, not a hash: bogus confirmations cannot take the CPU that logins need.
        """
        now = datetime.now(UTC)
        token_hash = hash_token(token)
        async with self.uow(read_only=True):
            found = await self.uow.password_resets.get_by_hash(token_hash)
            if found is None or found.used_at is not None or found.expires_at <= now:
                raise InvalidResetToken
            token_id, user_id = found.id, found.user_id
        # Hash outside the transaction: no connection is held during the slow part.
        new_hash = await self.hasher.hash(new_password)
        async with self.uow:
            # A conditional UPDATE: of two racing confirmations (or a confirmation racing a
            # newer request, which voids this token), one wins.
            if not await self.uow.password_resets.spend(token_id, now=now):
                raise InvalidResetToken
            user = await self.uow.users.get(user_id)
            if user is None or not user.is_active:
                raise InvalidResetToken
            await self.uow.users.update(user, {"hashed_password": new_hash})
            await self.uow.sessions.revoke_all(user.id, now=now)
            await self.uow.audit.add(
                audit_entry("user.password_reset", actor_id=user.id, entity=("user", user.id))
            )
            await self.uow.commit()
            logger.info("password_reset", user_id=user.id)

    async def _issue(self, email: str) -> None:
        try:
            await self._issue_token(email)
        except Exception as exc:  # a background task has nobody to raise to: log it
            logger.error("password_reset_request_failed", error=repr(exc))

    async def _issue_token(self, email: str) -> None:
        now = datetime.now(UTC)
        token = new_refresh_token()
        async with self.uow:
            user = await self.uow.users.get_by_email(email)
            if user is None or not user.is_active:
                return
            await self.uow.password_resets.void_unspent(user.id, now=now)
            await self.uow.password_resets.add(
                PasswordResetToken(
                    user_id=user.id,
                    token_hash=hash_token(token),
                    expires_at=now + self.policy.lifetime,
                )
            )
            await self.uow.audit.add(
                audit_entry(
                    "user.password_reset_requested", actor_id=user.id, entity=("user", user.id)
                )
            )
            await self.uow.commit()
        minutes = int(self.policy.lifetime.total_seconds() // 60)
        self.outbox.submit(
            render_message(
                template="password_reset",
                to=email,
                subject=f"Reset your {self.policy.project_name} password",
                sender=self.policy.sender,
                values={
                    "project": self.policy.project_name,
                    "minutes": str(minutes),
                    "link": self.policy.url_template.format(token=token),
                },
            )
        )
