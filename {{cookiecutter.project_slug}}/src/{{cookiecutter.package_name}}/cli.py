"""Operator commands.

`create-admin` makes the first admin. The password comes from the ADMIN_PASSWORD
environment variable (for scripts) or, when that is unset, from an interactive
prompt; it is never a command-line argument, where it would land in shell
history and process lists.

`rotate-mfa-keys` re-encrypts every TOTP secret under the first key of
MFA_ENCRYPTION_KEYS, after which the other keys can be removed.
"""

import asyncio
import getpass
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from pydantic import ValidationError

from {{ cookiecutter.package_name }}.core.config import Settings, get_settings
from {{ cookiecutter.package_name }}.core.errors import AppError
from {{ cookiecutter.package_name }}.core.mfa import SecretBox
from {{ cookiecutter.package_name }}.core.permissions import Role
from {{ cookiecutter.package_name }}.core.security import PasswordHasher
from {{ cookiecutter.package_name }}.db.session import create_engine, create_session_factory
from {{ cookiecutter.package_name }}.db.uow import SqlAlchemyUnitOfWork
from {{ cookiecutter.package_name }}.schemas.user import UserCreate, UserRead
from {{ cookiecutter.package_name }}.services.mfa import RotationResult, reencrypt_secrets
from {{ cookiecutter.package_name }}.services.user import UserService

PASSWORD_ENV = "ADMIN_PASSWORD"  # noqa: S105  # a variable name, not a password


def read_password() -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    password = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != password:
        raise SystemExit("Passwords do not match.")
    return password


def create_admin(*, email: str, full_name: str | None = None) -> int:
    """Create a user with the admin role; returns a process exit code."""
    try:
        data = UserCreate(email=email, password=read_password(), full_name=full_name)
    except ValidationError as exc:
        for error in exc.errors():
            print(f"{'.'.join(map(str, error['loc']))}: {error['msg']}", file=sys.stderr)
        return 1
    try:
        user = asyncio.run(_register(data))
    except AppError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    print(f"Created admin {user.email} (id {user.id}).")
    return 0


@asynccontextmanager
async def _database() -> AsyncIterator[tuple[Settings, SqlAlchemyUnitOfWork]]:
    """The settings, and a Unit of Work on their database; the engine is disposed after."""
    settings = get_settings()
    engine = create_engine(settings)
    uow = SqlAlchemyUnitOfWork(create_session_factory(engine))
    try:
        yield settings, uow
    finally:
        await uow.aclose()
        await engine.dispose()


async def _register(data: UserCreate) -> UserRead:
    async with _database() as (settings, uow):
        service = UserService(uow, PasswordHasher.from_settings(settings))
        return await service.register(data, role=Role.ADMIN)


def rotate_mfa_keys() -> int:
    """Re-encrypt TOTP secrets under the newest key; returns a process exit code."""
    result = asyncio.run(_rotate())
    print(f"Re-encrypted {result.rotated} TOTP secret(s) under the first MFA_ENCRYPTION_KEYS key.")
    if result.unreadable:
        ids = ", ".join(map(str, result.unreadable))
        print(f"error: no configured key opens the secret of user(s) {ids}", file=sys.stderr)
        return 1
    return 0


async def _rotate() -> RotationResult:
    async with _database() as (settings, uow):
        return await reencrypt_secrets(uow, SecretBox(settings.mfa_keys))
