"""`/api/v1/auth`: login (OAuth2 password flow; `username` is the email), refresh, logout."""

from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.security import OAuth2PasswordRequestForm

from {{ cookiecutter.package_name }}.api.deps import (
    AuthServiceDep,
    CurrentPrincipal,
    PasswordResetServiceDep,
    limit_by_address,
)
from {{ cookiecutter.package_name }}.schemas.auth import (
    AcceptedRead,
    LogoutRequest,
    PasswordResetConfirm,
    PasswordResetRequest,
    RefreshRequest,
    TokenPair,
)
from {{ cookiecutter.package_name }}.schemas.common import ErrorBody

router = APIRouter(prefix="/auth", tags=["auth"])
UNAUTHORIZED = {401: {"model": ErrorBody, "description": "Not authenticated"}}
LIMITED = {429: {"model": ErrorBody, "description": "Too many attempts"}}


@router.post(
    "/login",
    responses=UNAUTHORIZED | LIMITED,
    dependencies=[limit_by_address("rate_limit_login_address", "login-address")],
)
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], auth: AuthServiceDep
) -> TokenPair:
    return await auth.login(email=form.username, password=form.password)


@router.post(
    "/refresh",
    responses=UNAUTHORIZED | LIMITED,
    dependencies=[limit_by_address("rate_limit_refresh_address", "refresh-address")],
)
async def refresh_tokens(data: RefreshRequest, auth: AuthServiceDep) -> TokenPair:
    return await auth.refresh(data.refresh_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=UNAUTHORIZED)
async def logout(data: LogoutRequest, principal: CurrentPrincipal, auth: AuthServiceDep) -> None:
    await auth.logout(principal, data.refresh_token)


@router.post("/logout-all", status_code=status.HTTP_204_NO_CONTENT, responses=UNAUTHORIZED)
async def logout_all(principal: CurrentPrincipal, auth: AuthServiceDep) -> None:
    await auth.logout_all(principal)


@router.post(
    "/password-reset/request",
    status_code=status.HTTP_202_ACCEPTED,
    responses=LIMITED,
    dependencies=[limit_by_address("rate_limit_password_reset_address", "password-reset")],
)
async def request_password_reset(
    data: PasswordResetRequest, resets: PasswordResetServiceDep
) -> AcceptedRead:
    resets.request_reset(data.email)
    return AcceptedRead(detail="If the account exists, a reset link is on its way.")


@router.post(
    "/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={400: {"model": ErrorBody, "description": "Unknown, expired or used token"}},
)
async def confirm_password_reset(
    data: PasswordResetConfirm, resets: PasswordResetServiceDep
) -> None:
    await resets.confirm_reset(token=data.token, new_password=data.new_password)
