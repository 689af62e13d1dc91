"""Injected dependencies of accounts and authentication.

Authentication is a chain of ordinary dependencies: the bearer scheme reads the token, the
auth service turns it into the caller (`CurrentPrincipal`), and `CurrentUser` and `require()`
build on that. FastAPI solves each dependency once a request, so however many of them a
route uses, the token is checked once.
"""

from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.security import OAuth2PasswordBearer
from starlette.datastructures import State

from {{ cookiecutter.package_name }}.api.audit_context import client_address
from {{ cookiecutter.package_name }}.api.deps import UowDep
from {{ cookiecutter.package_name }}.core.errors import AuthenticationError, PermissionMissing
from {{ cookiecutter.package_name }}.core.permissions import Permission, has_permission
from {{ cookiecutter.package_name }}.db.uow import UnitOfWork
from {{ cookiecutter.package_name }}.schemas.user import UserRead
from {{ cookiecutter.package_name }}.services.admin import AdminService
from {{ cookiecutter.package_name }}.services.auth import AuthService, Principal
from {{ cookiecutter.package_name }}.services.mfa import MfaService
from {{ cookiecutter.package_name }}.services.password_reset import PasswordResetService
from {{ cookiecutter.package_name }}.services.reauthentication import PasswordConfirmation
from {{ cookiecutter.package_name }}.services.registration import PrivateRegistration
from {{ cookiecutter.package_name }}.services.user import UserService


async def hit_address_limit(request: Request, setting: str, scope: str) -> None:
    """Count the request against the per-address limit named by `setting`."""
    settings = request.app.state.settings
    address = client_address(request.scope, settings.forwarded_allow_ips)
    await request.app.state.limiter.hit(getattr(settings, setting), scope, address)


def limit_by_address(setting: str, scope: str) -> Any:
    """A route dependency counting each request against the limit named by `setting`."""

    async def hit(request: Request) -> None:
        await hit_address_limit(request, setting, scope)

    return Depends(hit)


async def no_store(response: Response) -> None:
    """Tokens, secrets and recovery codes must not be kept by any cache (RFC 6749, 5.1)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"


def password_check(state: State, uow: UnitOfWork) -> PasswordConfirmation:
    return PasswordConfirmation(
        uow,
        hasher=state.hasher,
        limiter=state.limiter,
        attempts_per_account=state.settings.rate_limit_login_account,
    )


def mfa_service(state: State, uow: UnitOfWork) -> MfaService:
    return MfaService(
        uow,
        totp=state.totp,
        box=state.mfa_box,
        limiter=state.limiter,
        policy=state.mfa_policy,
        password_check=password_check(state, uow),
    )


# Services are built by the plain functions above rather than from each other's dependencies:
# FastAPI's work per dependency is a measurable share of a cheap request, and every
# authenticated request builds the auth service (docs/architecture.md, decision 5).


async def get_user_service(request: Request, uow: UowDep) -> UserService:
    state = request.app.state
    return UserService(uow, state.hasher, password_check=password_check(state, uow))


UserServiceDep = Annotated[UserService, Depends(get_user_service)]


async def get_mfa_service(request: Request, uow: UowDep) -> MfaService:
    return mfa_service(request.app.state, uow)


MfaServiceDep = Annotated[MfaService, Depends(get_mfa_service)]


async def get_auth_service(request: Request, uow: UowDep) -> AuthService:
    state = request.app.state
    return AuthService(
        uow,
        hasher=state.hasher,
        tokens=state.tokens,
        limiter=state.limiter,
        policy=state.auth_policy,
        mfa=mfa_service(state, uow),
    )


AuthServiceDep = Annotated[AuthService, Depends(get_auth_service)]


async def get_private_registration(
    request: Request, users: UserServiceDep
) -> PrivateRegistration | None:
    """The background registration when PRIVATE_REGISTRATION is on, else None."""
    state = request.app.state
    if not state.settings.private_registration:
        return None
    return PrivateRegistration(
        users,
        outbox=state.outbox,
        sender=state.settings.email_from,
        project_name=state.settings.project_name,
    )


PrivateRegistrationDep = Annotated[PrivateRegistration | None, Depends(get_private_registration)]


async def get_password_reset_service(request: Request, uow: UowDep) -> PasswordResetService:
    state = request.app.state
    return PasswordResetService(
        uow, hasher=state.hasher, outbox=state.outbox, policy=state.reset_policy
    )


PasswordResetServiceDep = Annotated[PasswordResetService, Depends(get_password_reset_service)]


async def get_admin_service(request: Request, uow: UowDep) -> AdminService:
    return AdminService(uow, password_check=password_check(request.app.state, uow))


AdminServiceDep = Annotated[AdminService, Depends(get_admin_service)]

# Reads the bearer token; OpenAPI (and the Authorize button of /docs) shows the password flow
# and where to refresh (the same token endpoint, grant_type=refresh_token). Without a token it
# gives None, and `get_principal` answers with our own 401.
bearer_token = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/login", refreshUrl="/api/v1/auth/login", auto_error=False
)


async def get_principal(
    token: Annotated[str | None, Depends(bearer_token)], auth: AuthServiceDep
) -> Principal:
    """The caller: their user record and session."""
    if not token:
        raise AuthenticationError("Not authenticated.")
    return await auth.authenticate(token)


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


async def get_current_user(principal: CurrentPrincipal) -> UserRead:
    """The caller's user record (what most routes need)."""
    return principal.user


CurrentUser = Annotated[UserRead, Depends(get_current_user)]


def require(permission: Permission) -> Any:
    """A dependency that lets the request through only if the caller's role grants
    `permission`; it gives the caller's Principal."""

    async def caller_with_permission(principal: CurrentPrincipal) -> Principal:
        if not has_permission(principal.user.role, permission):
            raise PermissionMissing
        return principal

    return Depends(caller_with_permission)
