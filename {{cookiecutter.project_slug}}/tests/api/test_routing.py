"""The app holds its routes itself (`api/router.py`) and serves what include_router would."""

import httpx2
import pytest
from fastapi import APIRouter, FastAPI, HTTPException

from {{ cookiecutter.package_name }}.api.deps import get_item_service
from {{ cookiecutter.package_name }}.api.router import API_PREFIX, API_ROUTERS, add_routes
from {{ cookiecutter.package_name }}.api.routes import health
from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.main import create_app
from tests.conftest import close_app


async def serve(app: FastAPI, method: str, path: str) -> httpx2.Response:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.request(method, path)


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


def test_add_routes_refuses_what_it_cannot_register():
    """A mount or websocket cannot be re-registered as an API route: a clear error, not a
    route silently missing."""
    router = APIRouter()

    @router.websocket("/feed")
    async def feed() -> None:
        pass

    with pytest.raises(TypeError, match="only API routes"):
        add_routes(FastAPI(), router)


async def test_dependency_overrides_reach_the_routes(settings: Settings):
    """`app.dependency_overrides`, the usual way to swap a dependency in a test, applies."""

    async def refuse() -> None:
        raise HTTPException(status_code=418, detail="overridden")

    app = create_app(settings)
    app.dependency_overrides[get_item_service] = refuse
    response = await serve(app, "GET", f"{API_PREFIX}/items/")
    await close_app(app)

    assert response.status_code == 418


async def test_a_router_included_the_documented_way_is_served_and_documented(
    settings: Settings,
):
    """A router a team adds with `app.include_router` (rather than to `API_ROUTERS`) also
    answers, appears in the OpenAPI document, and gets the same 405 handling with `Allow`."""
    router = APIRouter(prefix="/reports", tags=["reports"])

    @router.get("/{report_id}")
    async def get_report(report_id: int) -> dict[str, int]:
        return {"id": report_id}

    app = create_app(settings)
    app.include_router(router, prefix=API_PREFIX)
    served = await serve(app, "GET", f"{API_PREFIX}/reports/7")
    wrong_method = await serve(app, "DELETE", f"{API_PREFIX}/reports/7")
    document = app.openapi()
    await close_app(app)

    assert (served.status_code, served.json()) == (200, {"id": 7})
    assert (wrong_method.status_code, wrong_method.headers["Allow"]) == (405, "GET, OPTIONS")
    assert "get" in document["paths"][API_PREFIX + "/reports/{report_id}"]


ITEM_METHODS = "DELETE, GET, OPTIONS, PATCH"


async def test_options_answers_with_every_method_of_the_path(client: httpx2.AsyncClient):
    """OPTIONS on a path answers 204 with `Allow` naming every method served there."""
    response = await client.options(f"{API_PREFIX}/items/1")

    assert response.status_code == 204
    assert response.headers["Allow"] == ITEM_METHODS
    assert response.content == b""


async def test_an_unserved_method_gets_405_naming_every_method_of_the_path(
    client: httpx2.AsyncClient,
):
    """A method the path does not serve gets 405, and `Allow` names all those it does (not
    just the first route's, as Starlette would)."""
    response = await client.put(f"{API_PREFIX}/items/1", json={})

    assert response.status_code == 405
    assert response.headers["Allow"] == ITEM_METHODS
    assert response.json()["code"] == "http.405"


async def test_options_on_an_unknown_path_is_404(client: httpx2.AsyncClient):
    """OPTIONS lists methods only for paths that exist."""
    response = await client.options(f"{API_PREFIX}/nowhere")

    assert response.status_code == 404


async def test_cors_preflight_is_still_answered_by_cors(settings: Settings):
    """With CORS_ORIGINS set, a preflight gets CORS's answer; a plain OPTIONS still gets
    the path's methods."""
    app = create_app(settings.model_copy(update={"cors_origins": ["https://app.example.com"]}))
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
        preflight = await client.options(
            f"{API_PREFIX}/items/1",
            headers={
                "Origin": "https://app.example.com",
                "Access-Control-Request-Method": "PATCH",
            },
        )
        plain = await client.options(f"{API_PREFIX}/items/1")
    await close_app(app)

    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "PATCH" in preflight.headers["Access-Control-Allow-Methods"]
    assert (plain.status_code, plain.headers["Allow"]) == (204, ITEM_METHODS)
