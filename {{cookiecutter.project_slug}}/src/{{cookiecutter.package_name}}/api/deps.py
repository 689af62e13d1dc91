"""Injected dependencies, as `Annotated` aliases so routes read like sentences.

Nothing here commits: since FastAPI 0.118 code after `yield` runs after the
response is sent, so a failed commit there would be reported as success.
Services open and commit their own Unit of Work instead.
"""

from typing import Annotated

from fastapi import Depends, Request
{%- if cookiecutter.use_auth %}
from fastapi.security import OAuth2PasswordBearer
{%- endif %}
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.package_name }}.core.config import Settings
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.core.errors import AuthenticationError
{%- endif %}
from {{ cookiecutter.package_name }}.db.uow import SqlAlchemyUnitOfWork, UnitOfWork
from {{ cookiecutter.package_name }}.schemas.common import PageParams
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.schemas.user import UserRead
from {{ cookiecutter.package_name }}.services.auth import AuthService
{%- endif %}
from {{ cookiecutter.package_name }}.services.item import ItemService
{%- if cookiecutter.use_auth %}
from {{ cookiecutter.package_name }}.services.user import UserService
{%- endif %}


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_engine(request: Request) -> AsyncEngine:
    return request.app.state.engine


def get_uow(request: Request) -> UnitOfWork:
    return SqlAlchemyUnitOfWork(request.app.state.session_factory)


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[AsyncEngine, Depends(get_engine)]
UowDep = Annotated[UnitOfWork, Depends(get_uow)]
PageDep = Annotated[PageParams, Depends()]


def get_item_service(uow: UowDep) -> ItemService:
    return ItemService(uow)


ItemServiceDep = Annotated[ItemService, Depends(get_item_service)]
{%- if cookiecutter.use_auth %}

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/login", auto_error=False)


def get_user_service(request: Request, uow: UowDep) -> UserService:
    return UserService(uow, request.app.state.hasher)


def get_auth_service(request: Request, uow: UowDep) -> AuthService:
    return AuthService(uow, request.app.state.hasher, request.app.state.tokens)


UserServiceDep = Annotated[UserService, Depends(get_user_service)]
AuthServiceDep = Annotated[AuthService, Depends(get_auth_service)]


async def get_current_user(
    auth: AuthServiceDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> UserRead:
    if not token:
        raise AuthenticationError("Not authenticated.")
    return await auth.authenticate(token)


CurrentUser = Annotated[UserRead, Depends(get_current_user)]
{%- endif %}
