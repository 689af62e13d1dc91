"""Storage of users."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from {{ cookiecutter.package_name }}.core.errors import ConflictError, EmailAlreadyRegistered
from {{ cookiecutter.package_name }}.models.user import User
from {{ cookiecutter.package_name }}.repositories.base import BaseRepository


class UserRepository(BaseRepository[User]):
    model = User

    async def get_by_email(self, email: str) -> User | None:
        return await self.session.scalar(select(User).where(User.email == email.lower()))

    def _conflict(self, exc: IntegrityError) -> ConflictError:
        # The only unique constraint besides the key is the email.
        return EmailAlreadyRegistered()
