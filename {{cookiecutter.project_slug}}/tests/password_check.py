"""A real password check for services built in tests, without the app around them."""

from typing import Any

from limits.aio.storage import MemoryStorage

from {{ cookiecutter.package_name }}.core.ratelimit import RateLimiter
from {{ cookiecutter.package_name }}.core.security import PasswordHasher
from {{ cookiecutter.package_name }}.services.reauthentication import PasswordConfirmation


def password_check_for(uow: Any) -> PasswordConfirmation:
    """A password check on `uow`, with a cheap hasher and limits counted in memory."""
    return PasswordConfirmation(
        uow,
        hasher=PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1),
        limiter=RateLimiter(MemoryStorage()),
        attempts_per_account="5/minute",
    )
