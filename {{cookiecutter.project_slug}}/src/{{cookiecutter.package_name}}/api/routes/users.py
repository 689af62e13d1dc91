"""`/api/v1/users`: registration and the caller's own profile."""

from fastapi import APIRouter, status

from {{ cookiecutter.package_name }}.api.deps import (
    CurrentPrincipal,
    CurrentUser,
    UserServiceDep,
    limit_by_address,
)
from {{ cookiecutter.package_name }}.schemas.common import ErrorBody
from {{ cookiecutter.package_name }}.schemas.user import UserCreate, UserRead, UserUpdate

router = APIRouter(prefix="/users", tags=["users"])


@router.post(
    "/",
    status_code=status.HTTP_201_CREATED,
    responses={
        409: {"model": ErrorBody, "description": "Email already registered"},
        429: {"model": ErrorBody, "description": "Too many registrations"},
    },
    dependencies=[limit_by_address("rate_limit_register_address", "register")],
)
async def register_user(data: UserCreate, users: UserServiceDep) -> UserRead:
    return await users.register(data)


@router.get("/me")
async def read_current_user(user: CurrentUser) -> UserRead:
    return user


@router.patch("/me", responses={422: {"model": ErrorBody, "description": "Wrong password"}})
async def update_current_user(
    data: UserUpdate, principal: CurrentPrincipal, users: UserServiceDep
) -> UserRead:
    return await users.update_profile(
        user_id=principal.user.id, session_id=principal.claims.session_id, data=data
    )
