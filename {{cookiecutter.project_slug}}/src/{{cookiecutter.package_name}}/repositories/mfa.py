"""Storage of TOTP factors and recovery codes.

The writes that guard against replay are single conditional UPDATEs, so two
requests racing with the same code cannot both win.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update

from {{ cookiecutter.package_name }}.models.mfa import MfaFactor, MfaRecoveryCode
from {{ cookiecutter.package_name }}.repositories.base import BaseRepository, rows_affected


class MfaRepository(BaseRepository[MfaFactor]):
    model = MfaFactor

    async def get_enabled(self, user_id: int) -> MfaFactor | None:
        """The user's factor if it protects their logins, else None."""
        factor = await self.get(user_id)
        return factor if factor is not None and factor.enabled_at is not None else None

    async def replace_pending(self, user_id: int, secret_encrypted: str) -> MfaFactor:
        """Start (or restart) a setup: any earlier unconfirmed secret is discarded."""
        await self.session.execute(delete(MfaFactor).where(MfaFactor.user_id == user_id))
        return await self.add(MfaFactor(user_id=user_id, secret_encrypted=secret_encrypted))

    async def page_after(self, user_id: int, *, limit: int) -> Sequence[MfaFactor]:
        """Factors of users with an id above `user_id`, in id order (for batch jobs)."""
        rows = await self.session.scalars(
            select(MfaFactor)
            .where(MfaFactor.user_id > user_id)
            .order_by(MfaFactor.user_id)
            .limit(limit)
        )
        return rows.all()

    async def claim_step(self, user_id: int, step: int) -> bool:
        """Record `step` as used; False if it, or a later one, already was (a replay)."""
        recorded = await rows_affected(
            self.session,
            update(MfaFactor)
            .where(
                MfaFactor.user_id == user_id,
                or_(MfaFactor.last_used_step.is_(None), MfaFactor.last_used_step < step),
            )
            .values(last_used_step=step),
        )
        return recorded == 1

    async def mark_enabled(self, user_id: int, *, now: datetime) -> None:
        await self.session.execute(
            update(MfaFactor).where(MfaFactor.user_id == user_id).values(enabled_at=now)
        )

    async def remove(self, user_id: int) -> None:
        """Delete the factor and every recovery code of the user."""
        await self.session.execute(delete(MfaFactor).where(MfaFactor.user_id == user_id))
        await self._delete_recovery_codes(user_id)

    async def replace_recovery_codes(self, user_id: int, code_hashes: Sequence[str]) -> None:
        await self._delete_recovery_codes(user_id)
        self.session.add_all(
            MfaRecoveryCode(user_id=user_id, code_hash=code_hash) for code_hash in code_hashes
        )
        await self.session.flush()

    async def spend_recovery_code(self, user_id: int, code_hash: str, *, now: datetime) -> bool:
        """Use up one unused recovery code with this hash; False if there is none."""
        spent = await rows_affected(
            self.session,
            update(MfaRecoveryCode)
            .where(
                MfaRecoveryCode.user_id == user_id,
                MfaRecoveryCode.code_hash == code_hash,
                MfaRecoveryCode.used_at.is_(None),
            )
            .values(used_at=now),
        )
        return spent >= 1

    async def count_recovery_codes_left(self, user_id: int) -> int:
        count = await self.session.scalar(
            select(func.count())
            .select_from(MfaRecoveryCode)
            .where(MfaRecoveryCode.user_id == user_id, MfaRecoveryCode.used_at.is_(None))
        )
        return count or 0

    async def _delete_recovery_codes(self, user_id: int) -> None:
        await self.session.execute(
            delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user_id)
        )
