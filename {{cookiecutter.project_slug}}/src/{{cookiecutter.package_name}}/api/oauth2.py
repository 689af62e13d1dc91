"""The token endpoint's errors, in the shape of RFC 6749, section 5.2.

OAuth2 client libraries read `error` from a token endpoint's answer, and take a body without
it for a token. So every refused request at `POST /auth/login` says `error` (and
`error_description`) beside the `detail` and `code` that every other answer of the API carries
(docs/architecture.md, decision 30). An outage keeps the API's 503: clients raise on any 5xx.
"""

import re
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from {{ cookiecutter.package_name }}.core.errors import (
    AppError,
    AuthenticationError,
    RateLimited,
    ServiceUnavailableError,
)
from {{ cookiecutter.package_name }}.schemas.auth import MfaChallenge

# What `error_description` may hold (RFC 6749, 5.2): printable ASCII without `"` and `\`.
NOT_IN_DESCRIPTION = re.compile(r"[^\x20-\x21\x23-\x5b\x5d-\x7e]")


class TokenRequestError(Exception):
    """A refused token request: RFC 6749's `error`, with our own `detail` and `code`."""

    def __init__(
        self,
        error: str,
        detail: str,
        *,
        code: str,
        status_code: int = status.HTTP_400_BAD_REQUEST,
        headers: dict[str, str] | None = None,
        extra: dict[str, object] | None = None,
    ) -> None:
        super().__init__(detail)
        self.error = error
        self.detail = detail
        self.code = code
        self.status_code = status_code
        self.headers = headers
        self.extra = extra or {}


def mfa_required(challenge: MfaChallenge) -> TokenRequestError:
    """A correct password for an account with MFA on. The error name and 403 follow the
    convention of widely used identity providers, so a client library raises it as an error
    instead of storing it as a token; `mfa_token` finishes the login at `/auth/mfa/verify`."""
    return TokenRequestError(
        "mfa_required",
        "Two-factor authentication is required: send a code to /auth/mfa/verify.",
        code="auth.mfa_required",
        status_code=status.HTTP_403_FORBIDDEN,
        extra={"mfa_token": challenge.mfa_token, "expires_in": challenge.expires_in},
    )


def token_request_error(exc: Exception) -> TokenRequestError | None:
    """The RFC 6749 error for a failure at the token endpoint; None for an outage, which keeps
    its 503 (client libraries raise on any 5xx)."""
    if isinstance(exc, RequestValidationError):
        errors = exc.errors()
        if any(tuple(error["loc"]) == ("body", "grant_type") for error in errors):
            return TokenRequestError(
                "unsupported_grant_type",
                "grant_type must be password or refresh_token.",
                code="auth.unsupported_grant_type",
            )
        reasons = "; ".join(" ".join([*map(str, e["loc"][1:]), e["msg"]]) for e in errors)
        return TokenRequestError(
            "invalid_request", f"The token request is not valid: {reasons}", code="validation_error"
        )
    if isinstance(exc, RateLimited):
        # RFC 6749 names no error for this; `temporarily_unavailable` is its nearest.
        return TokenRequestError(
            "temporarily_unavailable",
            exc.message,
            code=exc.code,
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(exc.retry_after)},
        )
    if isinstance(exc, AuthenticationError):
        # Wrong credentials, a deactivated account, a spent or revoked refresh token.
        return TokenRequestError("invalid_grant", exc.message, code=exc.code)
    if isinstance(exc, AppError) and not isinstance(exc, ServiceUnavailableError):
        return TokenRequestError("invalid_request", exc.message, code=exc.code)
    return None


async def one_value_per_field(request: Request) -> None:
    """A token request names each parameter once (RFC 6749, 3.2). One that repeats a field is
    refused rather than read one way here and another way by a proxy in front."""
    form = await request.form()  # the form FastAPI has parsed already
    repeated = sorted({key for key in form if len(form.getlist(key)) > 1})
    if repeated:
        raise TokenRequestError(
            "invalid_request",
            f"Each parameter may be sent once: {', '.join(repeated)} repeated.",
            code="auth.repeated_parameter",
        )


async def token_endpoint_errors() -> AsyncIterator[None]:
    """A route dependency: whatever fails while the token endpoint validates its form, counts
    its limits or runs the grant leaves as a TokenRequestError."""
    try:
        yield
    except (AppError, RequestValidationError) as exc:
        error = token_request_error(exc)
        if error is None:
            raise
        raise error from exc


async def handle_token_request_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TokenRequestError)
    body = {
        "error": exc.error,
        "error_description": NOT_IN_DESCRIPTION.sub("", exc.detail),
        "detail": exc.detail,
        "code": exc.code,
        **exc.extra,
    }
    # The token endpoint's answers must never be cached, its errors included (RFC 6749, 5.1).
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache", **(exc.headers or {})}
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


def install_token_errors(app: FastAPI) -> None:
    app.add_exception_handler(TokenRequestError, handle_token_request_error)
