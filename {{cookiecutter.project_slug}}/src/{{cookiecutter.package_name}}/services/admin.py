"""Admin use cases: user management and reading the audit log.

Every change is audited in its own transaction, and the last active admin can
be neither demoted nor deactivated: someone must always be able to administer.
"""

from datetime import UTC, datetime

import structlog

from {{ cookiecutter.package_name }}.core.errors import (
    CannotResetOwnMfa,
    LastAdminError,
    MfaNotEnabled,
    UserNotFound,
)
from {{ cookiecutter.package_name }}.core.permissions import Role
from {{ cookiecutter.package_name }}.db.uow import UnitOfWork
from {{ cookiecutter.package_name }}.models.audit import AuditLog
from {{ cookiecutter.package_name }}.models.user import User
from {{ cookiecutter.package_name }}.schemas.admin import (
    AdminUserUpdate,
    AuditFilters,
    AuditLogRead,
    UserFilters,
)
from {{ cookiecutter.package_name }}.schemas.common import Page, PageParams
from {{ cookiecutter.package_name }}.schemas.user import UserRead
from {{ cookiecutter.package_name }}.services.audit import audit_entry
from {{ cookiecutter.package_name }}.services.reauthentication import PasswordConfirmation

logger = structlog.get_logger(__name__)


class AdminService:
    """Lists, inspects and changes users; reads the audit log."""

    def __init__(self, uow: UnitOfWork, *, password_check: PasswordConfirmation) -> None:
        self.uow = uow
        self.password_check = password_check  # shares this service's Unit of Work

    async def list_users(self, *, filters: UserFilters, page: PageParams) -> Page[UserRead]:
        async with self.uow(read_only=True):
            rows, total = await self.uow.users.list(
                limit=page.limit,
                offset=page.offset,
                email_contains=filters.email,
                role=filters.role,
                is_active=filters.is_active,
            )
            return Page[UserRead](
                items=[UserRead.model_validate(row) for row in rows],
                total=total,
                limit=page.limit,
                offset=page.offset,
            )

    async def get_user(self, user_id: int) -> UserRead:
        async with self.uow(read_only=True):
            return UserRead.model_validate(await self._existing(user_id))

    async def update_user(self, *, actor_id: int, user_id: int, data: AdminUserUpdate) -> UserRead:
        """Change a user's role or active flag. Deactivation ends all their sessions at once."""
        async with self.uow:
            user = await self._existing(user_id)
            entries = self._changes(actor_id, user, data)
            if await self._removes_last_admin(user, data):
                raise LastAdminError
            if data.is_active is False and user.is_active:
                await self.uow.sessions.revoke_all(user.id, now=datetime.now(UTC))
            await self.uow.users.update(user, data.model_dump(exclude_none=True))
            for entry in entries:
                await self.uow.audit.add(entry)
            await self.uow.commit()
            logger.info("user_changed_by_admin", user_id=user.id, actor_id=actor_id)
            return UserRead.model_validate(user)

    async def reset_mfa(self, *, actor: UserRead, password: str, user_id: int) -> None:
        """Turn a user's MFA off for them (lost phone and recovery codes): their next login
        needs only the password. The acting admin's own current password is checked first,
        so a stolen admin token alone cannot strip a factor. Their own factor is not theirs to
        reset here: /auth/mfa/disable asks for a code, which this route does not."""
        if actor.id == user_id:
            raise CannotResetOwnMfa
        await self.password_check.confirm(actor, password, action="reset_mfa")
        actor_id = actor.id
        async with self.uow:
            user = await self._existing(user_id)
            if await self.uow.mfa.get(user.id) is None:
                raise MfaNotEnabled
            await self.uow.mfa.remove(user.id)
            await self.uow.audit.add(
                audit_entry("auth.mfa_reset_by_admin", actor_id=actor_id, entity=("user", user.id))
            )
            await self.uow.commit()
            logger.warning("mfa_reset_by_admin", user_id=user.id, actor_id=actor_id)

    async def list_audit_logs(
        self, *, filters: AuditFilters, page: PageParams
    ) -> Page[AuditLogRead]:
        """A page of audit rows, newest first."""
        async with self.uow(read_only=True):
            rows, total = await self.uow.audit.list(
                limit=page.limit, offset=page.offset, **filters.model_dump()
            )
            return Page[AuditLogRead](
                items=[AuditLogRead.model_validate(row) for row in rows],
                total=total,
                limit=page.limit,
                offset=page.offset,
            )

    async def _existing(self, user_id: int) -> User:
        user = await self.uow.users.get(user_id)
        if user is None:
            raise UserNotFound
        return user

    async def _removes_last_admin(self, user: User, data: AdminUserUpdate) -> bool:
        if user.role != Role.ADMIN or not user.is_active:
            return False
        demoted = data.role is not None and data.role != Role.ADMIN
        deactivated = data.is_active is False
        if not (demoted or deactivated):
            return False
        return await self.uow.users.count_active(role=Role.ADMIN) <= 1

    @staticmethod
    def _changes(actor_id: int, user: User, data: AdminUserUpdate) -> list[AuditLog]:
        entity = ("user", user.id)
        entries = []
        if data.role is not None and data.role != user.role:
            entries.append(
                audit_entry(
                    "user.role_changed",
                    actor_id=actor_id,
                    entity=entity,
                    details={"from": user.role, "to": data.role},
                )
            )
        if data.is_active is not None and data.is_active != user.is_active:
            action = "user.reactivated" if data.is_active else "user.deactivated"
            entries.append(audit_entry(action, actor_id=actor_id, entity=entity))
        return entries
