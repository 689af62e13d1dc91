"""The app holds its routes itself (`api/router.py`) and serves what include_router would."""

import httpx2
from fastapi import FastAPI, HTTPException

from {{ cookiecutter.package_name }}.api.deps import get_item_service
from {{ cookiecutter.package_name }}.api.router import API_PREFIX, API_ROUTERS, add_routes
from {{ cookiecutter.package_name }}.api.routes import health
from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.main import create_app
from tests.conftest import close_app


def routed(*, through_include_router: bool) -> FastAPI:
    app = FastAPI(title="Routing", version="1")
    if through_include_router:
        app.include_router(health.router)
        for router in API_ROUTERS:
            app.include_router(router, prefix=API_PREFIX)
    else:
        add_routes(app, health.router)
        for router in API_ROUTERS:
            add_routes(app, router, prefix=API_PREFIX)
    return app


def test_openapi_document_is_the_one_include_router_makes():
    """Paths, methods, status codes, tags, parameters, security and schemas all match."""
    flat = routed(through_include_router=False).openapi()
    included = routed(through_include_router=True).openapi()

    assert flat["paths"]
    assert flat == included


async def test_dependency_overrides_reach_the_routes(settings: Settings):
    """`app.dependency_overrides`, the usual way to swap a dependency in a test, applies."""

    async def refuse() -> None:
        raise HTTPException(status_code=418, detail="overridden")

    app = create_app(settings)
    app.dependency_overrides[get_item_service] = refuse
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get(f"{API_PREFIX}/items/")
    await close_app(app)

    assert response.status_code == 418
