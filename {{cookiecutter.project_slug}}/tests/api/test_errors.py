"""One error model: every failure is `{"detail", "code"}` JSON, never a stack trace."""

import httpx2
from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncEngine

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
    """An unhandled exception becomes a 500 that reveals nothing about its cause."""
    app = create_app(settings)
    router = APIRouter()

    @router.get("/explode")
    async def explode() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    app.include_router(router)
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/explode")
    await close_app(app)

    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error.", "code": "internal_error"}
    assert "hunter2" not in response.text
