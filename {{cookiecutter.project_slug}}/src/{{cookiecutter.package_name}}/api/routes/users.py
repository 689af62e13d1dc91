"""`/api/v1/users`: registration and the caller's own profile."""

from fastapi import APIRouter, status

from {{ cookiecutter.package_name }}.api.deps import (
    CurrentPrincipal,
    CurrentUser,
    UserServiceDep,
    limit_by_address,
)
from {{ cookiecutter.package_name }}.api.responses import API_ERRORS, UNAUTHORIZED, UNPARSEABLE_BODY
from {{ cookiecutter.package_name }}.schemas.common import ErrorBody
from {{ cookiecutter.package_name }}.schemas.user import UserCreate, UserRead, UserUpdate

router = APIRouter(prefix="/users", tags=["users"], responses=API_ERRORS)


@router.post(
    "/",
    status_code=status.HTTP_201_CREATED,
    responses={
        409: {"model": ErrorBody, "description": "Email already registered"},
        429: {"model": ErrorBody, "description": "Too many registrations"},
    }
    | UNPARSEABLE_BODY,
    dependencies=[limit_by_address("rate_limit_register_address", "register")],
)
async def register_user(data: UserCreate, users: UserServiceDep) -> UserRead:
    return await users.register(data)


@router.get("/me", responses=UNAUTHORIZED)
async def read_current_user(user: CurrentUser) -> UserRead:
    return user


@router.patch(
    "/me",
    responses={
        422: {"model": ErrorBody, "description": "Wrong current password"},
        429: {"model": ErrorBody, "description": "Too many attempts for this account"},
    }
    | UNAUTHORIZED
    | UNPARSEABLE_BODY,
)
async def update_current_user(
    data: UserUpdate, principal: CurrentPrincipal, users: UserServiceDep
) -> UserRead:
    return await users.update_profile(
        user=principal.user, session_id=principal.claims.session_id, data=data
    )
