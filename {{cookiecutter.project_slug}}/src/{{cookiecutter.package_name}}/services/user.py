"""User use cases: registration and profile reads."""

import structlog

from {{ cookiecutter.package_name }}.core.errors import EmailAlreadyRegistered, UserNotFound
from {{ cookiecutter.package_name }}.core.security import PasswordHasher
from {{ cookiecutter.package_name }}.db.uow import UnitOfWork
from {{ cookiecutter.package_name }}.models.user import User
from {{ cookiecutter.package_name }}.schemas.user import UserCreate, UserRead

logger = structlog.get_logger(__name__)


class UserService:
    """Registers users and reads their profiles."""

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher) -> None:
        self.uow = uow
        self.hasher = hasher

    async def register(self, data: UserCreate, *, superuser: bool = False) -> UserRead:
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
                    is_superuser=superuser,
                )
            )
            await self.uow.commit()
            logger.info("user_registered", user_id=user.id, superuser=superuser)
            return UserRead.model_validate(user)

    async def get_user(self, user_id: int) -> UserRead:
        async with self.uow:
            user = await self.uow.users.get(user_id)
            if user is None:
                raise UserNotFound
            return UserRead.model_validate(user)
