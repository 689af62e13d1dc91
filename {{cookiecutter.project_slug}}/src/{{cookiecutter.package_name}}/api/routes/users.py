"""`/api/v1/users`: registration and the caller's own profile."""

from fastapi import APIRouter, status

from {{ cookiecutter.package_name }}.api.deps import CurrentUser, UserServiceDep
from {{ cookiecutter.package_name }}.schemas.common import ErrorBody
from {{ cookiecutter.package_name }}.schemas.user import UserCreate, UserRead

router = APIRouter(prefix="/users", tags=["users"])


@router.post(
    "/",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"model": ErrorBody, "description": "Email already registered"}},
)
async def register_user(data: UserCreate, users: UserServiceDep) -> UserRead:
    return await users.register(data)


@router.get("/me")
async def read_current_user(user: CurrentUser) -> UserRead:
    return user
