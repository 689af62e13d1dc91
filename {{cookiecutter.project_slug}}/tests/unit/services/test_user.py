"""UserService with a fake Unit of Work."""

import pytest

from {{ cookiecutter.package_name }}.core.errors import EmailAlreadyRegistered, UserNotFound
from {{ cookiecutter.package_name }}.core.permissions import Role
from {{ cookiecutter.package_name }}.core.security import PasswordHasher
from {{ cookiecutter.package_name }}.schemas.user import UserCreate
from {{ cookiecutter.package_name }}.services.user import UserService
from tests.fakes import FakeUnitOfWork, as_uow


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


@pytest.fixture
def service(uow: FakeUnitOfWork, hasher: PasswordHasher) -> UserService:
    return UserService(as_uow(uow), hasher)


async def test_register_stores_a_hash_not_the_password(
    service: UserService, uow: FakeUnitOfWork, hasher: PasswordHasher
):
    """Registration commits a user whose stored password is an Argon2id hash of it."""
    user = await service.register(UserCreate(email="Ann@Example.com", password="s3cret-pass"))

    stored = uow.committed_users[user.id]
    assert user.email == "ann@example.com"
    assert stored.hashed_password.startswith("$argon2id$")
    assert "s3cret-pass" not in stored.hashed_password
    assert await hasher.verify("s3cret-pass", stored.hashed_password)
    assert (user.is_active, user.role) == (True, "user")


async def test_register_taken_email_raises_conflict_without_commit(
    service: UserService, uow: FakeUnitOfWork
):
    """A second account with the same email (in any case) is refused; nothing is committed."""
    await service.register(UserCreate(email="ann@example.com", password="password-1"))

    with pytest.raises(EmailAlreadyRegistered):
        await service.register(UserCreate(email="ANN@example.com", password="password-2"))

    assert uow.commits == 1
    assert len(uow.committed_users) == 1


async def test_register_admin_sets_role_and_audits(service: UserService, uow: FakeUnitOfWork):
    """The create-admin path makes an admin, and the registration is audited."""
    user = await service.register(
        UserCreate(email="root@example.com", password="password-1"), role=Role.ADMIN
    )

    assert user.role == "admin"
    assert [(entry.action, entry.details) for entry in uow.committed_audit] == [
        ("user.registered", {"role": "admin"})
    ]


async def test_get_missing_user_raises_not_found(service: UserService):
    """Reading an unknown user raises UserNotFound."""
    with pytest.raises(UserNotFound):
        await service.get_user(42)
