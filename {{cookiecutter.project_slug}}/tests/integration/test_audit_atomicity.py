"""A change and its audit row are one transaction: both are stored, or neither."""

import pytest
from sqlalchemy import func, select

from {{ cookiecutter.package_name }}.core.permissions import Role
from {{ cookiecutter.package_name }}.db.uow import SqlAlchemyUnitOfWork
from {{ cookiecutter.package_name }}.models.audit import AuditLog
from {{ cookiecutter.package_name }}.models.user import User
from {{ cookiecutter.package_name }}.schemas.admin import AdminUserUpdate
from {{ cookiecutter.package_name }}.services.admin import AdminService
from tests.password_check import password_check_for


class CommitFails(SqlAlchemyUnitOfWork):
    """A Unit of Work whose commit dies after every change has been flushed."""

    async def commit(self) -> None:
        assert self._session is not None  # inside the block
        await self._session.flush()  # the change and the audit row reach the database...
        raise ConnectionError("database went away")  # ...and the commit never happens


async def seed_users(uow: SqlAlchemyUnitOfWork) -> tuple[int, int]:
    async with uow:
        root = await uow.users.add(
            User(email="root@example.com", hashed_password="x", role="admin")
        )
        ann = await uow.users.add(User(email="ann@example.com", hashed_password="x"))
        await uow.commit()
        return root.id, ann.id


async def test_failed_commit_keeps_neither_change_nor_audit_row(session_factory):
    """A failure after the change and before commit leaves no role change and no audit row."""
    root, ann = await seed_users(SqlAlchemyUnitOfWork(session_factory))
    failing_uow = CommitFails(session_factory)
    service = AdminService(failing_uow, password_check=password_check_for(failing_uow))

    with pytest.raises(ConnectionError):
        await service.update_user(actor_id=root, user_id=ann, data=AdminUserUpdate(role=Role.ADMIN))

    async with session_factory() as session:
        role = await session.scalar(select(User.role).where(User.id == ann))
        audit_rows = await session.scalar(select(func.count()).select_from(AuditLog))
    assert role == "user"
    assert audit_rows == 0


async def test_successful_commit_keeps_both(session_factory):
    """The same change, committed, stores the new role and exactly one audit row for it."""
    root, ann = await seed_users(SqlAlchemyUnitOfWork(session_factory))
    uow = SqlAlchemyUnitOfWork(session_factory)
    service = AdminService(uow, password_check=password_check_for(uow))

    await service.update_user(actor_id=root, user_id=ann, data=AdminUserUpdate(role=Role.ADMIN))

    async with session_factory() as session:
        role = await session.scalar(select(User.role).where(User.id == ann))
        actions = (await session.scalars(select(AuditLog.action))).all()
    assert role == "admin"
    assert actions == ["user.role_changed"]
