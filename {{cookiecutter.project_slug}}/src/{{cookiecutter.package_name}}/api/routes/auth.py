"""`/api/v1/auth`: login (OAuth2 password flow; `username` is the email), the second
factor, refresh, logout, password reset. No answer here may be cached."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response, status

from {{ cookiecutter.package_name }}.api.auth_deps import (
    AuthServiceDep,
    CurrentPrincipal,
    CurrentUser,
    MfaServiceDep,
    PasswordResetServiceDep,
    hit_address_limit,
    limit_by_address,
    no_store,
)
from {{ cookiecutter.package_name }}.api.oauth2 import (
    mfa_required,
    one_value_per_field,
    token_endpoint_errors,
)
from {{ cookiecutter.package_name }}.api.responses import (
    API_ERRORS,
    RATE_LIMITED,
    RETRY_AFTER,
    UNAUTHORIZED,
    UNPARSEABLE_BODY,
    Responses,
)
from {{ cookiecutter.package_name }}.schemas.auth import (
    AcceptedRead,
    LogoutRequest,
    MfaChallenge,
    MfaCodeRequest,
    MfaRequiredBody,
    MfaSetupRead,
    MfaStatusRead,
    MfaVerifyRequest,
    PasswordResetConfirm,
    PasswordResetRequest,
    RecoveryCodesRead,
    RefreshRequest,
    TokenErrorBody,
    TokenPair,
    TokenRequest,
)
from {{ cookiecutter.package_name }}.schemas.common import ErrorBody

router = APIRouter(
    prefix="/auth", tags=["auth"], dependencies=[Depends(no_store)], responses=API_ERRORS
)
WRONG_CODE: Responses = {400: {"model": ErrorBody, "description": "The code is not valid"}}
MFA_STATE: Responses = {
    409: {"model": ErrorBody, "description": "MFA is not in the required state"}
}
TOKEN_ERRORS: Responses = {
    400: {
        "model": TokenErrorBody,
        "description": "invalid_request, invalid_grant or unsupported_grant_type (RFC 6749)",
    },
    403: {"model": MfaRequiredBody, "description": "mfa_required: finish at /auth/mfa/verify"},
    429: {"model": TokenErrorBody, "description": "Too many attempts", "headers": RETRY_AFTER},
}


@router.post(
    "/login",
    responses=TOKEN_ERRORS,
    dependencies=[Depends(token_endpoint_errors), Depends(one_value_per_field)],
)
async def issue_tokens(
    form: Annotated[TokenRequest, Form()], request: Request, auth: AuthServiceDep
) -> TokenPair:
    """The OAuth2 token endpoint (RFC 6749): `grant_type=password` (the default) or
    `grant_type=refresh_token`, each counted against the address limit of its own kind.
    Errors carry RFC 6749's `error`. An account with MFA on gets 403 `mfa_required` with an
    `mfa_token` to finish at `POST /auth/mfa/verify`."""
    if form.grant_type == "refresh_token":
        await hit_address_limit(request, "rate_limit_refresh_address", "refresh-address")
        return await auth.refresh(form.refresh_token)
    await hit_address_limit(request, "rate_limit_login_address", "login-address")
    result = await auth.login(email=form.username, password=form.password)
    if isinstance(result, MfaChallenge):
        raise mfa_required(result)
    return result


@router.post(
    "/mfa/verify",
    responses=UNAUTHORIZED | RATE_LIMITED | UNPARSEABLE_BODY,
    dependencies=[limit_by_address("rate_limit_mfa_address", "mfa-address")],
)
async def verify_mfa(data: MfaVerifyRequest, auth: AuthServiceDep) -> TokenPair:
    """Spend the login's MFA token and a code from the app (or a recovery code)."""
    return await auth.verify_mfa(mfa_token=data.mfa_token, code=data.code)


@router.get("/mfa", responses=UNAUTHORIZED)
async def mfa_status(user: CurrentUser, mfa: MfaServiceDep) -> MfaStatusRead:
    return await mfa.status(user)


@router.post("/mfa/setup", responses=UNAUTHORIZED | MFA_STATE)
async def setup_mfa(user: CurrentUser, mfa: MfaServiceDep) -> MfaSetupRead:
    """A new TOTP secret for an authenticator app; confirm it at `/mfa/enable`."""
    return await mfa.setup(user)


@router.post(
    "/mfa/enable",
    responses=UNAUTHORIZED | WRONG_CODE | MFA_STATE | RATE_LIMITED,
    dependencies=[limit_by_address("rate_limit_mfa_address", "mfa-address")],
)
async def enable_mfa(
    data: MfaCodeRequest, principal: CurrentPrincipal, mfa: MfaServiceDep
) -> RecoveryCodesRead:
    """Turn MFA on with a code from the app. Other sessions end; the recovery codes are
    shown only here, once."""
    return await mfa.enable(
        principal.user,
        data.code,
        password=data.password,
        keep_session_id=principal.claims.session_id,
    )


@router.post(
    "/mfa/disable",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=UNAUTHORIZED | WRONG_CODE | MFA_STATE | RATE_LIMITED,
    dependencies=[limit_by_address("rate_limit_mfa_address", "mfa-address")],
)
async def disable_mfa(data: MfaCodeRequest, user: CurrentUser, mfa: MfaServiceDep) -> None:
    """Turn MFA off with a code from the app or a recovery code."""
    await mfa.disable(user, data.code, password=data.password)


@router.post(
    "/refresh",
    responses=UNAUTHORIZED | RATE_LIMITED | UNPARSEABLE_BODY,
    dependencies=[limit_by_address("rate_limit_refresh_address", "refresh-address")],
)
async def refresh_tokens(data: RefreshRequest, auth: AuthServiceDep) -> TokenPair:
    return await auth.refresh(data.refresh_token)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=UNAUTHORIZED | UNPARSEABLE_BODY,
)
async def logout(data: LogoutRequest, principal: CurrentPrincipal, auth: AuthServiceDep) -> None:
    await auth.logout(principal, data.refresh_token)


@router.post(
    "/logout-all",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=UNAUTHORIZED,
)
async def logout_all(principal: CurrentPrincipal, auth: AuthServiceDep) -> None:
    await auth.logout_all(principal)


@router.post(
    "/password-reset/request",
    status_code=status.HTTP_202_ACCEPTED,
    responses=RATE_LIMITED | UNPARSEABLE_BODY,
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
    response_class=Response,
    responses=RATE_LIMITED
    | {400: {"model": ErrorBody, "description": "Unknown, expired or used token"}},
    # Shares the request route's limit, in a bucket of its own.
    dependencies=[limit_by_address("rate_limit_password_reset_address", "password-reset-confirm")],
)
async def confirm_password_reset(
    data: PasswordResetConfirm, resets: PasswordResetServiceDep
) -> None:
    await resets.confirm_reset(token=data.token, new_password=data.new_password)
