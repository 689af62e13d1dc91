"""Storage of password reset tokens."""

from datetime import datetime

from sqlalchemy import select, update

from {{ cookiecutter.package_name }}.models.password_reset import PasswordResetToken
from {{ cookiecutter.package_name }}.repositories.base import BaseRepository, rows_affected


class PasswordResetRepository(BaseRepository[PasswordResetToken]):
    model = PasswordResetToken

    async def get_by_hash(self, token_hash: str) -> PasswordResetToken | None:
        return await self.session.scalar(
            select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash)
        )

    async def spend(self, token_id: int, *, now: datetime) -> bool:
        """Mark a token used; False if it already was. Atomic, like refresh tokens."""
        spent = await rows_affected(
            self.session,
            update(PasswordResetToken)
            .where(PasswordResetToken.id == token_id, PasswordResetToken.used_at.is_(None))
            .values(used_at=now),
        )
        return spent == 1

    async def void_unspent(self, user_id: int, *, now: datetime) -> None:
        """Spend every open token of a user: only the newest link may work."""
        await self.session.execute(
            update(PasswordResetToken)
            .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
            .values(used_at=now)
        )
