"""The single place where failures become HTTP answers.

Every error body is `{"detail": ..., "code": ...}`. Unexpected exceptions are
logged once, with their traceback, and answered with a generic 500 that
reveals nothing.
"""

import structlog
from asgi_correlation_id import correlation_id
from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from {{ cookiecutter.package_name }}.api.middleware import edge_headers
from {{ cookiecutter.package_name }}.core.errors import (
    AppError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
{%- if cookiecutter.use_auth %}
    RateLimited,
{%- endif %}
    ValidationError,
)

logger = structlog.get_logger(__name__)

STATUS_BY_FAMILY: dict[type[AppError], int] = {
    NotFoundError: status.HTTP_404_NOT_FOUND,
    ConflictError: status.HTTP_409_CONFLICT,
    PermissionDeniedError: status.HTTP_403_FORBIDDEN,
    AuthenticationError: status.HTTP_401_UNAUTHORIZED,
    ValidationError: status.HTTP_422_UNPROCESSABLE_CONTENT,
    BadRequestError: status.HTTP_400_BAD_REQUEST,
}


def status_for(exc: AppError) -> int:
    for family, code in STATUS_BY_FAMILY.items():
        if isinstance(exc, family):
            return code
    return status.HTTP_400_BAD_REQUEST


def error_response(
    status_code: int, detail: object, code: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"detail": detail, "code": code}, status_code=status_code, headers=headers)


async def handle_app_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    status_code = status_for(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status_code == 401 else None
{%- if cookiecutter.use_auth %}
    if isinstance(exc, RateLimited):
        status_code, headers = 429, {"Retry-After": str(exc.retry_after)}
{%- endif %}
    return error_response(status_code, exc.message, exc.code, headers)


async def handle_validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Only where and why: the rejected input (a password, say) is never echoed back.
    errors = [
        {"loc": list(error["loc"]), "msg": error["msg"], "type": error["type"]}
        for error in exc.errors()
    ]
    return error_response(status.HTTP_422_UNPROCESSABLE_CONTENT, errors, "validation_error")


async def handle_http_exception(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return error_response(
        exc.status_code, exc.detail, f"http.{exc.status_code}", getattr(exc, "headers", None)
    )


async def handle_pool_timeout(request: Request, exc: Exception) -> JSONResponse:
    """Every database connection stayed busy for DB_POOL_TIMEOUT: the service is overloaded,
    not broken. Say so, and when to try again, rather than answer a 500."""
    logger.warning("database_pool_exhausted", method=request.method, path=request.url.path)
    return error_response(
        status.HTTP_503_SERVICE_UNAVAILABLE,
        "The service is busy; try again shortly.",
        "service.busy",
        {"Retry-After": "1"},
    )


async def handle_unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled_error", method=request.method, path=request.url.path)
    response = error_response(
        status.HTTP_500_INTERNAL_SERVER_ERROR, "Internal server error.", "internal_error"
    )
    # Starlette sends this answer from its outermost layer, outside the edge middleware, so
    # it gets here what the edge gives every other answer: the request id (which the log line
    # above carries) and the security headers.
    request_id = correlation_id.get()
    if request_id is not None:
        security_headers = request.app.state.security_headers
        response.raw_headers.extend(edge_headers(request_id, security_headers, request.url.path))
    return response


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, handle_app_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    app.add_exception_handler(PoolTimeout, handle_pool_timeout)
    app.add_exception_handler(Exception, handle_unexpected)
