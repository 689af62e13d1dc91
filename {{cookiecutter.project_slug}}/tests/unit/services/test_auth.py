"""AuthService with a fake Unit of Work: credential and token rules."""

import pytest

from {{ cookiecutter.package_name }}.core.errors import InactiveUser, InvalidCredentials, InvalidToken
from {{ cookiecutter.package_name }}.core.security import PasswordHasher, TokenCodec
from {{ cookiecutter.package_name }}.schemas.user import UserCreate
from {{ cookiecutter.package_name }}.services.auth import AuthService
from {{ cookiecutter.package_name }}.services.user import UserService
from tests.fakes import FakeUnitOfWork

PASSWORD = "correct horse battery"


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


@pytest.fixture
def tokens() -> TokenCodec:
    return TokenCodec(secret_key="k" * 40, algorithm="HS256", expire_minutes=30)


@pytest.fixture
def auth(uow: FakeUnitOfWork, hasher: PasswordHasher, tokens: TokenCodec) -> AuthService:
    return AuthService(uow, hasher, tokens)


@pytest.fixture
async def user_id(uow: FakeUnitOfWork, hasher: PasswordHasher) -> int:
    user = await UserService(uow, hasher).register(
        UserCreate(email="ann@example.com", password=PASSWORD)
    )
    return user.id


async def test_login_returns_token_for_its_user(auth: AuthService, tokens: TokenCodec, user_id):
    """Correct credentials give a bearer token whose subject is the user."""
    result = await auth.login(email="ann@example.com", password=PASSWORD)

    assert result.token_type == "bearer"
    assert result.expires_in == 30 * 60
    assert tokens.subject(result.access_token) == str(user_id)


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("ann@example.com", "wrong password"),
        ("nobody@example.com", PASSWORD),
        ("ann@example.com", PASSWORD + "x" * 200),
    ],
    ids=["wrong-password", "unknown-email", "over-long-password"],
)
async def test_login_failures_raise_the_same_error(auth: AuthService, user_id, email, password):
    """Every bad credential raises InvalidCredentials, saying nothing about which part failed."""
    with pytest.raises(InvalidCredentials):
        await auth.login(email=email, password=password)


async def test_login_of_deactivated_user_fails(auth: AuthService, uow: FakeUnitOfWork, user_id):
    """A deactivated account cannot log in, even with the right password."""
    uow.committed_users[user_id].is_active = False

    with pytest.raises(InvalidCredentials):
        await auth.login(email="ann@example.com", password=PASSWORD)


async def test_authenticate_resolves_token_to_user(auth: AuthService, tokens: TokenCodec, user_id):
    """A valid token resolves to the active user it was issued for."""
    user = await auth.authenticate(tokens.issue(str(user_id)).token)

    assert user.id == user_id


async def test_authenticate_refuses_token_of_deleted_user(auth: AuthService, tokens: TokenCodec):
    """A token whose user no longer exists is refused."""
    with pytest.raises(InvalidToken):
        await auth.authenticate(tokens.issue("999").token)


async def test_authenticate_refuses_deactivated_user(
    auth: AuthService, tokens: TokenCodec, uow: FakeUnitOfWork, user_id
):
    """A token of a deactivated user stops working at once."""
    uow.committed_users[user_id].is_active = False

    with pytest.raises(InactiveUser):
        await auth.authenticate(tokens.issue(str(user_id)).token)
