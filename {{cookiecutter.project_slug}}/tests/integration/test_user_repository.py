"""UserRepository against the real database."""

import pytest

from {{ cookiecutter.package_name }}.core.errors import ConflictError, EmailAlreadyRegistered
from {{ cookiecutter.package_name }}.db.uow import SqlAlchemyUnitOfWork
from {{ cookiecutter.package_name }}.models.user import User


async def test_get_by_email_ignores_case(uow: SqlAlchemyUnitOfWork):
    """Emails are stored lowercase and found whatever the case of the query."""
    async with uow:
        user = await uow.users.add(User(email="ann@example.com", hashed_password="x"))

        assert await uow.users.get_by_email("ANN@example.com") is user
        assert await uow.users.get_by_email("bob@example.com") is None


async def test_duplicate_email_becomes_conflict(uow: SqlAlchemyUnitOfWork):
    """The unique constraint on email surfaces as EmailAlreadyRegistered, not a 500."""
    async with uow:
        await uow.users.add(User(email="ann@example.com", hashed_password="x"))
        await uow.commit()

    with pytest.raises(EmailAlreadyRegistered):
        async with uow:
            await uow.users.add(User(email="ann@example.com", hashed_password="y"))


async def test_item_needs_an_existing_owner(uow: SqlAlchemyUnitOfWork):
    """Foreign keys are enforced (on SQLite too): an item of a missing user is a conflict."""
    with pytest.raises(ConflictError):
        async with uow:
            await uow.items.add({"title": "orphan", "owner_id": 12345})
