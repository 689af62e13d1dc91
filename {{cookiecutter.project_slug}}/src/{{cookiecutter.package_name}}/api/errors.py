"""The single place where failures become HTTP answers.

Every error body is `{"detail": ..., "code": ...}`. Unexpected exceptions are
logged once, with their traceback, and answered with a generic 500 that
reveals nothing.
"""

import structlog
from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import iter_route_contexts
{%- if cookiecutter.use_auth and cookiecutter.use_redis %}
from limits.errors import StorageError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
{%- endif %}
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from {{ cookiecutter.package_name }}.core.errors import (
    AppError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DatabaseUnavailable,
    NotFoundError,
    PermissionDeniedError,
{%- if cookiecutter.use_auth %}
    RateLimited,
{%- endif %}
{%- if cookiecutter.use_auth and cookiecutter.use_redis %}
    RateLimiterUnavailable,
{%- endif %}
    ServiceUnavailableError,
    ValidationError,
)
from {{ cookiecutter.package_name }}.db.session import DRIVER_ERRORS, is_unavailable

logger = structlog.get_logger(__name__)

STATUS_BY_FAMILY: dict[type[AppError], int] = {
    NotFoundError: status.HTTP_404_NOT_FOUND,
    ConflictError: status.HTTP_409_CONFLICT,
    PermissionDeniedError: status.HTTP_403_FORBIDDEN,
    AuthenticationError: status.HTTP_401_UNAUTHORIZED,
    ValidationError: status.HTTP_422_UNPROCESSABLE_CONTENT,
    BadRequestError: status.HTTP_400_BAD_REQUEST,
    ServiceUnavailableError: status.HTTP_503_SERVICE_UNAVAILABLE,
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


def bearer_challenge(exc: AppError) -> str:
    """The challenge of a 401, with RFC 6750's `error` when credentials were sent and
    refused."""
    if isinstance(exc, AuthenticationError) and exc.bearer_error:
        return f'Bearer error="{exc.bearer_error}", error_description="{exc.message}"'
    return "Bearer"


async def handle_app_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    status_code = status_for(exc)
    headers = {"WWW-Authenticate": bearer_challenge(exc)} if status_code == 401 else None
    if isinstance(exc, ServiceUnavailableError):
        headers = {"Retry-After": str(exc.retry_after)}
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


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    """Starlette's and FastAPI's own errors, in our shape. On a path that exists but not for
    this method, `Allow` lists every method the path serves, and OPTIONS answers with just
    that list (a CORS preflight never gets here: CORSMiddleware answers it)."""
    assert isinstance(exc, StarletteHTTPException)
    headers = getattr(exc, "headers", None)
    if exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        headers = {"Allow": allowed_methods(request)}
        if request.method == "OPTIONS":
            return Response(status_code=status.HTTP_204_NO_CONTENT, headers=headers)
    return error_response(exc.status_code, exc.detail, f"http.{exc.status_code}", headers)


def allowed_methods(request: Request) -> str:
    """The methods served at the request's path. Starlette's 405 names only those of the
    first route there, and FastAPI makes one route per method."""
    methods = {"OPTIONS"}
    for route in iter_route_contexts(request.app.router.routes):
        if route.matches(request.scope)[0] is not Match.NONE:
            methods |= route.methods or set()
    return ", ".join(sorted(methods))


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


async def handle_driver_error(request: Request, exc: Exception) -> JSONResponse:
    """A database that is stopped, frozen or going away is an outage to wait out (503), not a
    bug; any other driver error is one (500)."""
    if not is_unavailable(exc):
        return await handle_unexpected(request, exc)
    logger.warning(
        "database_unavailable", method=request.method, path=request.url.path, error=repr(exc)
    )
    return await handle_app_error(request, DatabaseUnavailable())
{%- if cookiecutter.use_auth and cookiecutter.use_redis %}


async def handle_limiter_error(request: Request, exc: Exception) -> JSONResponse:
    """The rate limiter cannot reach Redis. It fails closed: counting nothing would let a
    password guesser through exactly while Redis is down (docs/SECURITY.md)."""
    logger.warning(
        "rate_limiter_unavailable", method=request.method, path=request.url.path, error=repr(exc)
    )
    return await handle_app_error(request, RateLimiterUnavailable())
{%- endif %}


async def handle_unexpected(request: Request, exc: Exception) -> JSONResponse:
    """Log an unexpected exception once, with its traceback and the request id, and answer a
    generic 500. The edge middleware calls it (`on_error`) for an exception raised before the
    response started, and gives its answer the edge's headers; Starlette's outermost layer
    calls it for one raised after, when there is nothing left to answer."""
    logger.exception("unhandled_error", method=request.method, path=request.url.path)
    return error_response(
        status.HTTP_500_INTERNAL_SERVER_ERROR, "Internal server error.", "internal_error"
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, handle_app_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    app.add_exception_handler(PoolTimeout, handle_pool_timeout)
    for driver_error in DRIVER_ERRORS:
        app.add_exception_handler(driver_error, handle_driver_error)
{%- if cookiecutter.use_auth and cookiecutter.use_redis %}
    # Redis serves the rate limiter only: its errors, wrapped by `limits` or not, are the
    # limiter's.
    for limiter_error in (StorageError, RedisConnectionError, RedisTimeoutError):
        app.add_exception_handler(limiter_error, handle_limiter_error)
{%- endif %}
    app.add_exception_handler(Exception, handle_unexpected)
