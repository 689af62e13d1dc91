"""User use cases: registration, profile reads and changes."""

from datetime import UTC, datetime

import structlog

from {{ cookiecutter.package_name }}.core.errors import EmailAlreadyRegistered, UserNotFound
from {{ cookiecutter.package_name }}.core.permissions import Role
from {{ cookiecutter.package_name }}.core.security import PasswordHasher
from {{ cookiecutter.package_name }}.db.uow import UnitOfWork
from {{ cookiecutter.package_name }}.models.user import User
from {{ cookiecutter.package_name }}.schemas.user import UserCreate, UserRead, UserUpdate
from {{ cookiecutter.package_name }}.services.audit import audit_entry
from {{ cookiecutter.package_name }}.services.reauthentication import PasswordConfirmation

logger = structlog.get_logger(__name__)


class UserService:
    """Registers users and reads their profiles."""

    def __init__(
        self,
        uow: UnitOfWork,
        hasher: PasswordHasher,
        *,
        password_check: PasswordConfirmation | None = None,
    ) -> None:
        self.uow = uow
        self.hasher = hasher
        # Needed to change a password; registration (the create-admin command) does without.
        # It shares this service's Unit of Work.
        self.password_check = password_check

    async def register(self, data: UserCreate, *, role: Role = Role.USER) -> UserRead:
        """Create an account; an email already in use raises EmailAlreadyRegistered."""
        # Hash before the transaction opens: no connection is held during the slow part.
        hashed = await self.hasher.hash(data.password)
        async with self.uow:
            if await self.uow.users.get_by_email(data.email) is not None:
                raise EmailAlreadyRegistered
            user = await self.uow.users.add(
                User(
                    email=data.email,
                    hashed_password=hashed,
                    full_name=data.full_name,
                    role=role,
                )
            )
            await self.uow.audit.add(
                audit_entry(
                    "user.registered",
                    actor_id=user.id,
                    entity=("user", user.id),
                    details={"role": role},
                )
            )
            await self.uow.commit()
            logger.info("user_registered", user_id=user.id, role=role)
            return UserRead.model_validate(user)

    async def update_profile(
        self, *, user: UserRead, session_id: str, data: UserUpdate
    ) -> UserRead:
        """Change one's own profile. A password change needs the current password (checked
        as login checks it) and ends every other session of the user."""
        user_id = user.id
        new_hash = await self._new_password_hash(user, data)
        async with self.uow:
            stored = await self.uow.users.get(user_id)
            if stored is None:
                raise UserNotFound
            changes = data.model_dump(exclude_unset=True, include={"full_name"})
            if new_hash is not None:
                changes["hashed_password"] = new_hash
                await self.uow.sessions.revoke_all(
                    user_id, now=datetime.now(UTC), keep_session_id=session_id
                )
            await self.uow.users.update(stored, changes)
            if new_hash is not None:
                await self.uow.audit.add(
                    audit_entry("user.password_changed", actor_id=user_id, entity=("user", user_id))
                )
            await self.uow.commit()
            if new_hash is not None:
                logger.info("password_changed", user_id=user_id)
            return UserRead.model_validate(stored)

    async def _new_password_hash(self, user: UserRead, data: UserUpdate) -> str | None:
        if data.new_password is None:
            return None
        if self.password_check is None:
            raise RuntimeError("UserService needs a password_check to change a password")
        await self.password_check.confirm(user, data.current_password, action="change_password")
        return await self.hasher.hash(data.new_password)

    async def get_user(self, user_id: int) -> UserRead:
        async with self.uow(read_only=True):
            user = await self.uow.users.get(user_id)
            if user is None:
                raise UserNotFound
            return UserRead.model_validate(user)
