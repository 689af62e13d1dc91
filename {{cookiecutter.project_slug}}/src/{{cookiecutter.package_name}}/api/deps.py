"""Injected dependencies, as `Annotated` aliases so routes read like sentences.

They are all `async def`, even those that never await: FastAPI runs a plain
`def` dependency in a worker thread, a hop that costs more than the work here.

Nothing here commits: since FastAPI 0.118 code after `yield` runs after the
response is sent, so a failed commit there would be reported as success.
Services open and commit their own Unit of Work instead.
"""

from typing import Annotated{% if cookiecutter.use_auth %}, Any{% endif %}

{% if cookiecutter.use_auth -%}
from asgi_correlation_id import correlation_id
{% endif -%}
from fastapi import Depends, Query, Request{% if cookiecutter.use_auth %}, Response{% endif %}
{%- if cookiecutter.use_auth %}
from fastapi.security import OAuth2PasswordBearer
from fastapi.security.base import SecurityBase
from starlette.types import Scope
{%- endif %}

{% if cookiecutter.use_auth -%}
from {{ cookiecutter.package_name }}.core.context import RequestContext
from {{ cookiecutter.package_name }}.core.errors import AuthenticationError, PermissionMissing
from {{ cookiecutter.package_name }}.core.permissions import Permission, has_permission
{% endif -%}
from {{ cookiecutter.package_name }}.db.uow import SqlAlchemyUnitOfWork, UnitOfWork
from {{ cookiecutter.package_name }}.schemas.common import PageParams
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.schemas.user import UserRead
from {{ cookiecutter.package_name }}.services.admin import AdminService
from {{ cookiecutter.package_name }}.services.auth import AuthService, Principal
{%- endif %}
from {{ cookiecutter.package_name }}.services.item import ItemService
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.services.mfa import MfaService
from {{ cookiecutter.package_name }}.services.password_reset import PasswordResetService
from {{ cookiecutter.package_name }}.services.reauthentication import PasswordConfirmation
from {{ cookiecutter.package_name }}.services.registration import PrivateRegistration
from {{ cookiecutter.package_name }}.services.user import UserService
{%- endif %}


async def get_uow(request: Request) -> UnitOfWork:
    return _uow(request)


# Where a request keeps its Unit of Work (an ASGI scope key of this application's own).
UOW_SCOPE_KEY = "{{ cookiecutter.package_name }}.uow"


def _uow(request: Request) -> UnitOfWork:
    """The request's one Unit of Work: authentication and the use case share it, so the
    use case's read can reuse the connection authentication just read with. The API's routes
    close it when their response is built (`api.router.UnitOfWorkRoute`)."""
    uow: SqlAlchemyUnitOfWork | None = request.scope.get(UOW_SCOPE_KEY)
    if uow is None:
        state = request.app.state
        uow = request.scope[UOW_SCOPE_KEY] = SqlAlchemyUnitOfWork(
            state.session_factory, state.read_session_factory, writer_lock=state.writer_lock
        )
    return uow


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
# A query-parameter model, validated in line: `Depends()` on a class would call it in a worker
# thread. The OpenAPI description is the same.
PageDep = Annotated[PageParams, Query()]


async def get_item_service(uow: UowDep) -> ItemService:
    return ItemService(uow)


ItemServiceDep = Annotated[ItemService, Depends(get_item_service)]
{%- if cookiecutter.use_auth %}


def client_address(request: Request) -> str:
    """The caller's address: the socket peer, unless that peer is a trusted proxy.

    Behind trusted proxies, the right-most X-Forwarded-For entry that is not
    itself a trusted proxy is the client; anything left of it is client-supplied
    and could be forged.
    """
    trusted = request.app.state.settings.forwarded_allow_ips
    peer = request.client.host if request.client else "unknown"
    forwarded = request.headers.get("x-forwarded-for")
    if peer not in trusted or not forwarded:
        return peer
    for hop in reversed([part.strip() for part in forwarded.split(",")]):
        if hop and hop not in trusted:
            return hop
    return peer


def limit_by_address(setting: str, scope: str) -> Any:
    """A route dependency counting each request against the limit named by `setting`."""

    async def hit(request: Request) -> None:
        limit = getattr(request.app.state.settings, setting)
        await request.app.state.limiter.hit(limit, scope, client_address(request))

    return Depends(hit)


async def get_user_service(request: Request, uow: UowDep) -> UserService:
    return UserService(uow, request.app.state.hasher, password_check=_password_check(request, uow))


def _password_check(request: Request, uow: UnitOfWork) -> PasswordConfirmation:
    state = request.app.state
    return PasswordConfirmation(
        uow,
        hasher=state.hasher,
        limiter=state.limiter,
        attempts_per_account=state.settings.rate_limit_login_account,
    )


async def get_mfa_service(request: Request, uow: UowDep) -> MfaService:
    return _mfa_service(request, uow)


def _mfa_service(request: Request, uow: UnitOfWork) -> MfaService:
    state = request.app.state
    return MfaService(
        uow,
        totp=state.totp,
        box=state.mfa_box,
        limiter=state.limiter,
        policy=state.mfa_policy,
        password_check=_password_check(request, uow),
    )


MfaServiceDep = Annotated[MfaService, Depends(get_mfa_service)]


async def get_auth_service(request: Request, uow: UowDep) -> AuthService:
    return _auth_service(request, uow)


def _auth_service(request: Request, uow: UnitOfWork) -> AuthService:
    state = request.app.state
    return AuthService(
        uow,
        hasher=state.hasher,
        tokens=state.tokens,
        limiter=state.limiter,
        policy=state.auth_policy,
        mfa=_mfa_service(request, uow),
    )


UserServiceDep = Annotated[UserService, Depends(get_user_service)]


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
AuthServiceDep = Annotated[AuthService, Depends(get_auth_service)]


async def no_store(response: Response) -> None:
    """Tokens, secrets and recovery codes must not be kept by any cache (RFC 6749, 5.1)."""
    response.headers["Cache-Control"] = "no-store"


# Where a request keeps its caller once authenticated (an ASGI scope key, like the UoW's).
PRINCIPAL_SCOPE_KEY = "{{ cookiecutter.package_name }}.principal"


class BearerScheme(SecurityBase):
    """The caller behind the bearer token, resolved by the security scheme itself.

    FastAPI's per-request work grows with every level of dependencies (~1% of `users/me`
    each), and the usual chain (the route's user, its principal, then the scheme reading the
    header) is three. As the scheme itself, this is one, and OpenAPI still shows the same
    `OAuth2PasswordBearer` scheme (and `/docs` its Authorize button). It builds its AuthService
    and Unit of Work itself rather than through AuthServiceDep and UowDep, for the same reason.

    It wraps an `OAuth2PasswordBearer` rather than subclassing it: each subclass below answers
    with something else than the token string its `__call__` is typed to return. Whichever a
    route uses, and however many, the token is checked once a request: the caller is kept in
    the request's scope.
    """

    def __init__(self) -> None:
        self._bearer = OAuth2PasswordBearer(
            tokenUrl="/api/v1/auth/login", scheme_name="OAuth2PasswordBearer", auto_error=False
        )
        # FastAPI documents a SecurityBase dependency from these two.
        self.model = self._bearer.model
        self.scheme_name = self._bearer.scheme_name

    async def principal(self, request: Request) -> Principal:
        principal: Principal | None = request.scope.get(PRINCIPAL_SCOPE_KEY)
        if principal is None:
            token = await self._bearer(request)
            if not token:
                raise AuthenticationError("Not authenticated.")
            principal = await _auth_service(request, _uow(request)).authenticate(token)
            request.scope[PRINCIPAL_SCOPE_KEY] = principal
        return principal


class BearerPrincipal(BearerScheme):
    """The caller: their user record and session."""

    async def __call__(self, request: Request) -> Principal:
        return await self.principal(request)


class BearerUser(BearerScheme):
    """The caller's user record (what most routes need)."""

    async def __call__(self, request: Request) -> UserRead:
        return (await self.principal(request)).user


class BearerPermission(BearerScheme):
    """The caller, let through only if their role grants `permission`."""

    def __init__(self, permission: Permission) -> None:
        super().__init__()
        self.permission = permission

    async def __call__(self, request: Request) -> Principal:
        principal = await self.principal(request)
        if not has_permission(principal.user.role, self.permission):
            raise PermissionMissing
        return principal


get_principal = BearerPrincipal()
get_current_user = BearerUser()
CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
CurrentUser = Annotated[UserRead, Depends(get_current_user)]


def require(permission: Permission) -> Any:
    """A dependency that lets the request through only if the caller's role grants
    `permission`; it yields the caller's Principal."""
    return Depends(BearerPermission(permission))


def describe_request(scope: Scope) -> RequestContext:
    """The request id and client address of the request `scope` belongs to, for the audit
    log. Called lazily, in the request's context (see `core.context`)."""
    return RequestContext(
        request_id=correlation_id.get(), client_address=client_address(Request(scope))
    )


async def get_password_reset_service(request: Request, uow: UowDep) -> PasswordResetService:
    state = request.app.state
    return PasswordResetService(
        uow, hasher=state.hasher, outbox=state.outbox, policy=state.reset_policy
    )


PasswordResetServiceDep = Annotated[PasswordResetService, Depends(get_password_reset_service)]


async def get_admin_service(request: Request, uow: UowDep) -> AdminService:
    return AdminService(uow, password_check=_password_check(request, uow))


AdminServiceDep = Annotated[AdminService, Depends(get_admin_service)]
{%- endif %}
