"""Authentication use cases: password login and resolving a bearer token to a user."""

import structlog

from {{ cookiecutter.package_name }}.core.errors import InactiveUser, InvalidCredentials, InvalidToken
from {{ cookiecutter.package_name }}.core.security import PasswordHasher, TokenCodec
from {{ cookiecutter.package_name }}.db.uow import UnitOfWork
from {{ cookiecutter.package_name }}.schemas.auth import TokenRead
from {{ cookiecutter.package_name }}.schemas.user import PASSWORD_MAX_LENGTH, UserRead

logger = structlog.get_logger(__name__)


class AuthService:
    """Checks credentials and tokens. Every failure looks the same from outside."""

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher, tokens: TokenCodec) -> None:
        self.uow = uow
        self.hasher = hasher
        self.tokens = tokens

    async def login(self, *, email: str, password: str) -> TokenRead:
        """Exchange an email and password for an access token.

        An unknown email, a wrong password and a deactivated account all cost one
        hash verification and raise the same InvalidCredentials.
        """
        async with self.uow:
            user = await self.uow.users.get_by_email(email)
            hashed = user.hashed_password if user is not None else None
        # Over-long passwords are never valid, but still take the same time to refuse.
        too_long = len(password) > PASSWORD_MAX_LENGTH
        verified = await self.hasher.verify(password[:PASSWORD_MAX_LENGTH], hashed)
        if not verified or too_long or user is None or not user.is_active:
            logger.info("login_failed", user_id=user.id if user else None)
            raise InvalidCredentials
        token = self.tokens.issue(str(user.id))
        logger.info("user_logged_in", user_id=user.id)
        return TokenRead(access_token=token.token, expires_in=token.expires_in)

    async def authenticate(self, token: str) -> UserRead:
        """The active user a bearer token belongs to."""
        subject = self.tokens.subject(token)
        if not subject.isdigit():
            raise InvalidToken
        async with self.uow:
            user = await self.uow.users.get(int(subject))
            if user is None:
                raise InvalidToken
            if not user.is_active:
                raise InactiveUser
            return UserRead.model_validate(user)
