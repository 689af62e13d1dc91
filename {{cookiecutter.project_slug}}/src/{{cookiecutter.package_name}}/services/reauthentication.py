"""Re-authentication: the current password, asked again before a change to how an account
is protected, under the same per-account limit as login.

A stolen access token alone must not be enough to take an account over, and the password
check must not become a way around login's limit: each check counts against the account's
login attempts before it runs, and each failure is audited.
"""

import structlog

from {{ cookiecutter.package_name }}.core.errors import InvalidCurrentPassword
from {{ cookiecutter.package_name }}.core.ratelimit import RateLimiter
from {{ cookiecutter.package_name }}.core.security import PasswordHasher
from {{ cookiecutter.package_name }}.db.uow import UnitOfWork
from {{ cookiecutter.package_name }}.schemas.user import PASSWORD_MAX_LENGTH, UserRead
from {{ cookiecutter.package_name }}.services.audit import audit_entry

logger = structlog.get_logger(__name__)


class PasswordConfirmation:
    """Checks a signed-in user's current password again, as login would."""

    def __init__(
        self,
        uow: UnitOfWork,
        *,
        hasher: PasswordHasher,
        limiter: RateLimiter,
        attempts_per_account: str,
    ) -> None:
        self.uow = uow
        self.hasher = hasher
        self.limiter = limiter
        self.attempts_per_account = attempts_per_account

    async def confirm(self, user: UserRead, password: str | None, *, action: str) -> None:
        """Return if `password` is the user's current one; else audit the failure and raise
        InvalidCurrentPassword. Over the account's limit, raise RateLimited (429) first."""
        # Login's own key: guesses here and at the login form share one budget.
        await self.limiter.hit(self.attempts_per_account, "login", user.email)
        async with self.uow(read_only=True):
            stored = await self.uow.users.get(user.id)
            hashed = stored.hashed_password if stored else None
        # Over-long passwords are never valid, but cost the same time to refuse.
        candidate = (password or "")[:PASSWORD_MAX_LENGTH]
        verified = await self.hasher.verify(candidate, hashed)
        if verified and password is not None and len(password) <= PASSWORD_MAX_LENGTH:
            return
        await self._audit_failure(user.id, action)
        logger.info("password_check_failed", user_id=user.id, action=action)
        raise InvalidCurrentPassword

    async def _audit_failure(self, user_id: int, action: str) -> None:
        # Its own transaction: the failure is recorded although the change is refused.
        async with self.uow:
            await self.uow.audit.add(
                audit_entry(
                    "auth.password_check_failed",
                    actor_id=user_id,
                    entity=("user", user_id),
                    details={"action": action},
                )
            )
            await self.uow.commit()
