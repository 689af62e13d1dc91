"""Storage of users."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from {{ cookiecutter.package_name }}.core.errors import ConflictError, EmailAlreadyRegistered
from {{ cookiecutter.package_name }}.models.user import User
from {{ cookiecutter.package_name }}.repositories.base import BaseRepository


class UserRepository(BaseRepository[User]):
    model = User

    async def get_by_email(self, email: str) -> User | None:
        return await self.session.scalar(select(User).where(User.email == email.lower()))

    async def list(
        self,
        *,
        limit: int,
        offset: int,
        email_contains: str | None = None,
        role: str | None = None,
        is_active: bool | None = None,
    ) -> tuple[Sequence[User], int]:
        """A page of users, oldest first, optionally filtered."""
        query = select(User).order_by(User.id)
        if email_contains:
            # Escape LIKE wildcards: a filter for "a_b" must not match "axb".
            pattern = email_contains.lower().replace("\\", "\\\\").replace("%", "\\%")
            pattern = pattern.replace("_", "\\_")
            query = query.where(User.email.like(f"%{pattern}%", escape="\\"))
        if role is not None:
            query = query.where(User.role == role)
        if is_active is not None:
            query = query.where(User.is_active == is_active)
        return await self._page(query, limit=limit, offset=offset)

    async def count_active(self, *, role: str) -> int:
        """How many active users have `role`, their rows locked until the transaction ends
        (`FOR UPDATE`), so two concurrent demotions cannot both count the other admin.
        SQLite has no row locks: there, writers are serialised by the file lock."""
        query = select(User.id).where(User.role == role, User.is_active.is_(True))
        return len((await self.session.scalars(query.with_for_update())).all())

    def _conflict(self, exc: IntegrityError) -> ConflictError:
        # The only unique constraint besides the key is the email.
        return EmailAlreadyRegistered()
