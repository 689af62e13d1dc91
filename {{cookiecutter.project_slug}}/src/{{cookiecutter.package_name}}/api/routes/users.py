"""`/api/v1/users`: registration and the caller's own profile."""

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse

from {{ cookiecutter.package_name }}.api.auth_deps import (
    CurrentPrincipal,
    CurrentUser,
    PrivateRegistrationDep,
    UserServiceDep,
    limit_by_address,
)
from {{ cookiecutter.package_name }}.api.responses import API_ERRORS, UNAUTHORIZED, UNPARSEABLE_BODY
from {{ cookiecutter.package_name }}.schemas.auth import AcceptedRead
from {{ cookiecutter.package_name }}.schemas.common import ErrorBody
from {{ cookiecutter.package_name }}.schemas.user import UserCreate, UserRead, UserUpdate

router = APIRouter(prefix="/users", tags=["users"], responses=API_ERRORS)


@router.post(
    "/",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    responses=UNPARSEABLE_BODY
    | {
        202: {
            "model": AcceptedRead,
            "description": "PRIVATE_REGISTRATION on: the same answer for every address",
        },
        409: {"model": ErrorBody, "description": "Email already registered"},
        429: {"model": ErrorBody, "description": "Too many registrations"},
    },
    dependencies=[limit_by_address("rate_limit_register_address", "register")],
)
async def register_user(
    data: UserCreate, users: UserServiceDep, private: PrivateRegistrationDep
) -> UserRead | JSONResponse:
    """The new account (201); or, with PRIVATE_REGISTRATION, 202 whether or not the address
    was taken (the owner of a taken one gets an email)."""
    if private is None:
        return await users.register(data)
    private.start(data)
    accepted = AcceptedRead(detail="If the address can be registered, the account is ready.")
    return JSONResponse(accepted.model_dump(), status_code=status.HTTP_202_ACCEPTED)


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
