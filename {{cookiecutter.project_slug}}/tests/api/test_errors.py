"""One error model: every failure is `{"detail", "code"}` JSON, never a stack trace."""

import httpx2
import pytest
import structlog
from fastapi import APIRouter
{%- if cookiecutter.database == "postgresql" %}
from sqlalchemy import text
{%- endif %}
from sqlalchemy.ext.asyncio import AsyncEngine
from structlog.testing import CapturingLogger

from {{ cookiecutter.package_name }}.api import errors as api_errors
from {{ cookiecutter.package_name }}.core.logging import add_request_id
from {{ cookiecutter.package_name }}.main import create_app
from tests.conftest import close_app


async def test_unknown_route_is_json_404(client: httpx2.AsyncClient):
    """An unknown path answers 404 in the common error shape."""
    response = await client.get("/nowhere")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found", "code": "http.404"}


async def test_wrong_method_is_json_405(client: httpx2.AsyncClient):
    """A wrong method answers 405 in the common error shape."""
    response = await client.put("/health/live")

    assert response.status_code == 405
    assert response.json()["code"] == "http.405"


async def test_malformed_json_is_422(client: httpx2.AsyncClient):
    """A body that is not JSON is a 422 validation error, not a 500."""
    response = await client.post(
        "/api/v1/items/", content=b"{not json", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_unexpected_error_is_generic_500(settings, engine: AsyncEngine):
    """An unhandled exception becomes a 500 that reveals nothing about its cause, and carries
    the request id (to find its log line) and the security headers like any other answer."""
    app = create_app(settings)
    router = APIRouter()

    @router.get("/explode")
    async def explode() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    app.include_router(router)
    request_id = "4f2d5c1e9b8a4c3d8e7f6a5b4c3d2e1f"
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/explode", headers={"X-Request-ID": request_id})
    await close_app(app)

    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error.", "code": "internal_error"}
    assert "hunter2" not in response.text
    assert response.headers["X-Request-ID"] == request_id
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")


async def test_unexpected_error_is_answered_and_not_raised_to_the_server(
    settings, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
):
    """An unhandled exception is answered with the 500 JSON and logged once with the request
    id; it does not escape the app (the server would log it again and drop the connection)."""
    logged = CapturingLogger()
    monkeypatch.setattr(
        api_errors, "logger", structlog.wrap_logger(logged, processors=[add_request_id])
    )
    app = create_app(settings)
    router = APIRouter()

    @router.get("/explode")
    async def explode() -> None:
        raise RuntimeError("boom")

    app.include_router(router)
    request_id = "0f2d5c1e9b8a4c3d8e7f6a5b4c3d2e1f"
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=True)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/explode", headers={"X-Request-ID": request_id})
    await close_app(app)

    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error.", "code": "internal_error"}
    assert response.headers["X-Request-ID"] == request_id
    assert [(call.kwargs["event"], call.kwargs["request_id"]) for call in logged.calls] == [
        ("unhandled_error", request_id)
    ]
{%- if cookiecutter.database == "postgresql" %}


async def test_exhausted_connection_pool_is_503_with_retry_after(settings, engine: AsyncEngine):
    """When every pooled connection stays busy past DB_POOL_TIMEOUT, the caller gets a 503
    asking to retry, not a 500 and not a hang."""
    one_connection = {"db_pool_size": 1, "db_max_overflow": 0, "db_pool_timeout": 0.2}
    app = create_app(settings.model_copy(update=one_connection))
{%- if cookiecutter.use_auth %}
    # A well-signed token, so the request reaches the database to look its session up.
    token = app.state.tokens.issue(user_id=1, session_id="any").token
    headers = {"Authorization": f"Bearer {token}"}
{%- else %}
    headers: dict[str, str] = {}
{%- endif %}
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.state.engine.connect(),  # holds the pool's only connection
        httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        response = await client.get("/api/v1/items/", headers=headers)
    await close_app(app)

    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.json() == {
        "detail": "The service is busy; try again shortly.",
        "code": "service.busy",
    }


async def test_connections_the_server_killed_are_replaced(settings, engine: AsyncEngine):
    """After PostgreSQL ends a pooled connection (a restart, a failover, an administrator), the
    next request still gets a working one: the pool checks each connection before lending it."""
    app = create_app(settings.model_copy(update={"db_pool_size": 1, "db_max_overflow": 0}))
    async with app.state.engine.connect() as connection:  # the pool's only connection
        pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    async with engine.connect() as admin:
        killed = await admin.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/health/ready")
    await close_app(app)

    assert killed is True
    assert response.status_code == 200
    assert response.json()["checks"]["database"]["status"] == "ok"
{%- endif %}
